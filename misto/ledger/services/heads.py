"""Signing keys and signed tree heads: what witnesses and residents trust.

Why a file of its own: a head is the log's public commitment (size, time, root, signature),
a concern apart from how the tree is stored (the keys that sign are in ``keys``). Heads only
cover integrated leaves.
"""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import transaction
from django.utils import timezone

from misto.core.bus import publish
from misto.ledger import sth
from misto.ledger.events import TreeHeadIssued
from misto.ledger.models import LedgerKey, SignedTreeHead
from misto.ledger.services.appending import locked_state
from misto.ledger.services.keys import active_key
from misto.ledger.services.tree import integrate_pending, root_at

#: A scheduled head is issued when the tree grew, or when the last head is older than this.
HEAD_MAX_AGE_MS = 24 * 3600 * 1000


def latest_head() -> SignedTreeHead | None:
    return SignedTreeHead.objects.select_related("key").order_by("-id").first()


def issue_head(force: bool = True,
               private_key: Ed25519PrivateKey | None = None) -> SignedTreeHead | None:
    """Integrate pending entries, then sign and store a head over the whole tree.

    With ``force=False`` (the schedule) nothing is issued when the tree has not grown since the
    last head and that head is younger than ``HEAD_MAX_AGE_MS``. Timestamps strictly increase.
    ``private_key`` signs instead of the configured key (only for closing a log that is being
    replaced, see ``misto.ledger.succession``). Publishes ``ledger.TreeHeadIssued``.
    """
    integrate_pending()
    with transaction.atomic():
        size = int(locked_state().integrated_size)
        previous = latest_head()
        now_ms = int(timezone.now().timestamp() * 1000)
        if not force and previous is not None and previous.tree_size == size \
                and now_ms - previous.timestamp < HEAD_MAX_AGE_MS:
            return None
        timestamp = max(now_ms, previous.timestamp + 1) if previous else now_ms
        root = root_at(size)
        key, private_key = active_key(private_key)
        signature = private_key.sign(sth.tree_head_tbs(size, timestamp, root))
        head = SignedTreeHead.objects.create(
            tree_size=size, timestamp=timestamp, root_hash=root, signature=signature, key=key
        )
        publish(TreeHeadIssued(tree_size=size, timestamp=timestamp,
                               sha256_root_hash=sth.b64(root), key_id=key.key_id))
    return head


def head_json(head: SignedTreeHead) -> dict[str, Any]:
    return sth.sth_json(head.tree_size, head.timestamp, bytes(head.root_hash),
                        bytes(head.signature), head.key.key_id)


def head_signature_ok(head: SignedTreeHead) -> bool:
    return sth.verify_signature(bytes(head.key.public_key), head.tree_size, head.timestamp,
                                bytes(head.root_hash), bytes(head.signature))


def key_json(key: LedgerKey) -> dict[str, Any]:
    return {
        "key_id": key.key_id,
        "algorithm": key.algorithm,
        "public_key": sth.b64(bytes(key.public_key)),
        "active": key.active,
        "created_at": key.created_at.isoformat(),
        "retired_at": key.retired_at.isoformat() if key.retired_at else None,
    }


def published_keys() -> list[dict[str, Any]]:
    return [key_json(key) for key in LedgerKey.objects.order_by("created_at", "id")]

