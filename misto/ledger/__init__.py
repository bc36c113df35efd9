"""The tamper-evident public ledger: an RFC 9162 Merkle log with signed tree heads.

Public function for other modules (the only one they may call)::

    from misto.ledger import append
    receipt = append(kind, payload, actor=None)

``append(kind: str, payload: dict, actor: str | None = None) -> Receipt`` writes one entry in
the caller's transaction and returns its receipt (``index``, ``leaf_hash``). ``payload`` must
hold public references and hiding commitments only, never personal data and never a plain
hash of anything guessable (a name, a birth date, a tax number): it is published for good.
``actor`` is the acting resident's user id (``str(user.pk)``); it is stored only as a keyed
hash so that the resident finds the receipt in the cabinet. Bad input raises ``ValueError``
before anything is written. A module may instead declare, on an event it publishes, the
fields to ledger (``ledgered: ClassVar[tuple[str, ...]]``, see ``misto.ledger.handlers``).

``misto.ledger.reading.entries(kind, where={...})`` reads entries back in log order (what
anyone can read from ``GET /api/ledger/entries``), for modules that let anyone recount.

``misto.ledger.merkle`` is the pure RFC 9162 implementation (no Django), importable alone.
This package imports Django lazily, so ``import misto.ledger.merkle`` stays Django-free.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from misto.ledger.services import Receipt, append

__all__ = ["Receipt", "append"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from misto.ledger import services

        return getattr(services, name)
    raise AttributeError(f"module 'misto.ledger' has no attribute {name!r}")
