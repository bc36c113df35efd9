"""Paying for one module's service from another module's account, synchronously.

Events carry no answer, but a parking session that stops must know at once whether it was
paid (the driver sees it; enforcement answers "allowed" from it). So the core holds one
small contract instead: a module that keeps accounts (the wallet) registers a ``Payer`` when
it starts; a module that sells a service (parking) calls ``charge``. Neither imports the
other, and with no payer installed ``charge`` raises ``PaymentUnavailable`` (the seller
offers another way to pay). docs/architecture.md, "Paying for a module's service".
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from django.utils.translation import gettext as _

from misto.core.errors import MistoError


class PaymentCode(StrEnum):
    UNAVAILABLE = "payment_unavailable"
    REFUSED = "payment_refused"


class PaymentUnavailable(MistoError):
    status = 503


class PaymentRefused(MistoError):
    """The payer refused: no account, not enough money. Nothing was charged."""

    status = 409


@dataclass(frozen=True)
class Charge:
    user: Any  # the person paying (the payer finds their account)
    amount: int  # kopiyky, > 0
    purpose: str  # the seller's label: "parking"
    key: str  # the seller's idempotency key: the same key charges once
    memo: str = ""  # nothing personal (a zone code, a session number)


class Payer(Protocol):
    def charge(self, charge: Charge) -> str:
        """Charge once per ``(purpose, key)``; returns a receipt reference; raises
        ``PaymentRefused``. Called inside the seller's transaction: both commit together."""

    def refund(self, refund: Charge) -> str:
        """Give back ``refund.amount`` of what was charged under ``(purpose, key)``, once
        (a repeated refund returns the same reference); raises ``PaymentRefused`` when
        nothing (or less) was charged under that key. Inside the seller's transaction."""


_payer: Payer | None = None


def register_payer(payer: Payer | None) -> None:
    global _payer
    _payer = payer


def available() -> bool:
    return _payer is not None


def _checked(what: str, amount: int) -> Payer:
    """The registered payer, once ``amount`` is a positive number of kopiyky."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValueError(f"a {what} is a positive number of kopiyky")
    if _payer is None:
        raise PaymentUnavailable(PaymentCode.UNAVAILABLE,
                                 _("Paying from the city wallet is not available here."))
    return _payer


def charge(user: Any, amount: int, *, purpose: str, key: str, memo: str = "") -> str:
    return _checked("charge", amount).charge(
        Charge(user=user, amount=amount, purpose=purpose, key=key, memo=memo[:120]))


def refund(user: Any, amount: int, *, purpose: str, key: str, memo: str = "") -> str:
    """Give back (part of) what ``charge`` took under the same ``purpose`` and ``key``: a
    cancelled booking. Once per key, like ``charge``."""
    return _checked("refund", amount).refund(
        Charge(user=user, amount=amount, purpose=purpose, key=key, memo=memo[:120]))
