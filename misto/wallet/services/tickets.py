"""Ride tokens for the phone's QR, validators, and the taps they upload.

The platform signs tokens with Ed25519 (``misto.wallet.offline``, keys in
:mod:`misto.wallet.services.keys`). A tap is of a token or of a city card
(:mod:`misto.wallet.services.cards`). Uploaded taps are applied in tap-time order, each once (its
``tap_id``), each token once (its ``token_id``: a copied QR shown twice rides once).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from misto.core import bus
from misto.core.config import env_int
from misto.wallet import offline
from misto.wallet.errors import WalletCode, WalletError
from misto.wallet.events import RideValidated
from misto.wallet.models import (
    Account,
    AccountKind,
    Card,
    FareTable,
    Pass,
    ProductKind,
    Ride,
    RideBasis,
    TransferKind,
    Validator,
)
from misto.wallet.services import fares
from misto.wallet.services.accounts import system_account
from misto.wallet.services.journal import Leg, balance, do_transfer
from misto.wallet.services.keys import public_keys, signing_keys

CLOCK_SKEW = timedelta(minutes=5)


def token_minutes() -> int:
    return env_int("MISTO_WALLET_TOKEN_MINUTES", 10, minimum=1)


def issue_token(account: Account) -> tuple[str, datetime]:
    """A ride token for the phone's QR, if the account can pay for a ride (or has a pass
    or a benefit); refused when the balance is below the credit floor."""
    now = timezone.now()
    quote = fares.quote_ride(account, now)
    if quote.charge and balance(account) - quote.charge < -account.credit_limit:
        raise WalletError(WalletCode.INSUFFICIENT_FUNDS,
                          _("There is not enough money in the wallet for a ride; top it up."))
    expires = now + timedelta(minutes=token_minutes())
    token = offline.sign(signing_keys()[0], str(account.public_id), secrets.token_hex(12),
                         int(expires.timestamp()))
    return token, expires


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def do_register_validator(code: str) -> tuple[Validator, str]:
    """A new validator and its upload key (shown once; stored hashed)."""
    key = secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            validator = Validator.objects.create(code=code, key_hash=hash_key(key))
    except IntegrityError:
        raise WalletError(WalletCode.CONFLICT, _("A validator with this code exists."),
                          field="code") from None
    return validator, key


def authenticate_validator(key: str | None) -> Validator:
    validator = (Validator.objects.filter(key_hash=hash_key(key), active=True).first()
                 if key else None)
    if validator is None:
        raise WalletError(WalletCode.UNKNOWN_VALIDATOR, _("Unknown validator key."))
    return validator


@dataclass(frozen=True)
class TapIn:
    tap_id: str
    token: str  # a ride token's QR, or "" for a card
    at: datetime
    card: str = ""  # a city card's number, or "" for a token


@dataclass(frozen=True)
class TapResult:
    tap_id: str
    status: str  # applied | duplicate | refused
    code: str = ""
    charged: int = 0
    basis: str = ""


TOKEN_REASONS = {"malformed": WalletCode.BAD_TOKEN, "unknown_key": WalletCode.BAD_TOKEN,
                 "signature": WalletCode.BAD_TOKEN, "expired": WalletCode.TOKEN_EXPIRED}


def apply_taps(validator: Validator, taps: list[TapIn]) -> list[TapResult]:
    """Apply uploaded taps in tap-time order, each once."""
    keys = public_keys()
    now = timezone.now()
    upload = _Upload(fares.fare_table())
    # One commit per upload (a commit is a disk flush; one per tap made uploads ~30 taps/s
    # on SQLite); each tap still runs in its own savepoint, so a refused one undoes only
    # itself.
    with transaction.atomic():
        results = {tap.tap_id: _apply_one(validator, tap, keys, now, upload)
                   for tap in sorted(taps, key=_tap_order)}
        Validator.objects.filter(pk=validator.pk).update(last_upload_at=now)
    return [results[tap.tap_id] for tap in taps]


def _tap_order(tap: TapIn) -> tuple[float, str]:
    """Tap-time order; a time without an offset (refused later) sorts as UTC, not a crash."""
    return (tap.at.replace(tzinfo=tap.at.tzinfo or UTC).timestamp(), tap.tap_id)


@dataclass
class _Upload:
    """What one upload reads once: the fare table, each rider's discount per local day."""

    table: FareTable
    discounts: dict[tuple[int, date], int] = field(default_factory=dict)

    def discount(self, account: Account, at: datetime) -> int:
        day = timezone.localtime(at).date()
        if (account.pk, day) not in self.discounts:
            self.discounts[(account.pk, day)] = fares.discount_for_account(account, at)
        return self.discounts[(account.pk, day)]


def _apply_one(validator: Validator, tap: TapIn, keys: dict[str, bytes],
               now: datetime, upload: _Upload) -> TapResult:
    earlier = Ride.objects.filter(tap_id=tap.tap_id).first()
    if earlier is not None:
        return TapResult(tap.tap_id, "duplicate", charged=earlier.charged, basis=earlier.basis)
    if tap.at.tzinfo is None or tap.at > now + CLOCK_SKEW:  # a tap time needs its offset
        return TapResult(tap.tap_id, "refused", WalletCode.INVALID)
    payer = _card_payer(tap) if tap.card else _token_payer(tap, keys)
    if isinstance(payer, WalletCode):
        return TapResult(tap.tap_id, "refused", payer)
    try:
        with transaction.atomic():
            ride = _charge(validator, tap, payer, upload)
    except IntegrityError:  # a concurrent upload of the same tap or token
        return TapResult(tap.tap_id, "duplicate")
    return TapResult(tap.tap_id, "applied", charged=ride.charged, basis=ride.basis)


@dataclass(frozen=True)
class _Payer:
    account: Account
    token_id: str | None = None
    card: Card | None = None


def _token_payer(tap: TapIn, keys: dict[str, bytes]) -> _Payer | WalletCode:
    try:  # valid at the moment of the tap: uploads may come hours later
        claims = offline.verify(tap.token, keys, int(tap.at.timestamp()))
    except offline.TokenRefused as refused:
        return TOKEN_REASONS[refused.reason]
    account = Account.objects.filter(public_id=claims.account,
                                     kind=AccountKind.RESIDENT).first()
    if account is None:
        return WalletCode.NO_ACCOUNT
    if Ride.objects.filter(token_id=claims.token_id).exists():
        return WalletCode.TOKEN_REPLAYED
    return _Payer(account, token_id=claims.token_id)


def _card_payer(tap: TapIn) -> _Payer | WalletCode:
    card = Card.objects.select_related("account").filter(number=tap.card).first()
    if card is None:
        return WalletCode.UNKNOWN_CARD
    if card.blocked_at is not None and card.blocked_at <= tap.at:
        return WalletCode.CARD_BLOCKED  # blocked before the tap: the deny-list had it
    return _Payer(card.account, card=card)


def _charge(validator: Validator, tap: TapIn, payer: _Payer, upload: _Upload) -> Ride:
    account = payer.account
    Account.objects.select_for_update().filter(pk=account.pk).first()  # one tap at a time
    discount = upload.discount(account, tap.at)
    quote = fares.quote_ride(account, tap.at, table=upload.table, discount=discount)
    basis, charge, pass_id, transfer = quote.basis, quote.charge, quote.pass_id, None
    if pass_id is not None and _is_trips(pass_id) and not fares.use_trip(pass_id):
        quote = fares.quote_ride(account, tap.at, table=upload.table,
                                 discount=discount)  # the last trip went to another tap
        basis, charge, pass_id = quote.basis, quote.charge, quote.pass_id
    if charge:
        try:
            with transaction.atomic():
                transfer = do_transfer(
                    TransferKind.FARE, f"tap:{tap.tap_id}",
                    [Leg(account, -charge), Leg(system_account(AccountKind.FARES),
                                                charge)],
                    memo=validator.code, use_credit=True)
        except WalletError:
            basis, charge = RideBasis.UNPAID, 0
    ride = Ride.objects.create(tap_id=tap.tap_id, token_id=payer.token_id, card=payer.card,
                               account=account,
                               validator=validator, at=tap.at, charged=charge, basis=basis,
                               pass_used_id=pass_id, transfer=transfer)
    bus.publish(RideValidated(validator=validator.code, at=tap.at.isoformat(),
                              charged=charge, basis=basis))
    return ride


def _is_trips(pass_id: int) -> bool:
    return Pass.objects.filter(pk=pass_id, product__kind=ProductKind.TRIPS).exists()


def recent_rides(account: Account, limit: int = 20) -> list[Any]:
    return list(Ride.objects.filter(account=account).select_related("validator")
                .order_by("-at")[:limit])
