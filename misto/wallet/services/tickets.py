"""Ride tokens for the phone's QR, validators, and the taps they upload.

The platform signs tokens with Ed25519 (``misto.wallet.offline``, keys in
:mod:`misto.wallet.services.keys`). A tap is of a token or of a city card
(:mod:`misto.wallet.services.cards`). Uploaded taps are applied in tap-time order, each once (its
``tap_id``), each token once (its ``token_id``: a copied QR shown twice rides once).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from misto import residents
from misto.core import bus
from misto.core.config import env_int
from misto.wallet import offline
from misto.wallet.errors import WalletCode, WalletError
from misto.wallet.events import RideValidated
from misto.wallet.models import (
    Account,
    AccountKind,
    Card,
    Pass,
    Posting,
    ProductKind,
    Ride,
    RideBasis,
    TransferKind,
    Validator,
)
from misto.wallet.services import fares
from misto.wallet.services.accounts import system_account
from misto.wallet.services.journal import Leg, balance, post_transfers
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


def do_register_validator(code: str, device: str | None = None) -> tuple[Validator, str]:
    """A new validator and its upload key (shown once; stored hashed). ``device``: its id
    in the IoT registry, when it also uploads over MQTT (a ``ride-validator`` device there)."""
    key = secrets.token_urlsafe(32)
    if device and Validator.objects.filter(device=device).exists():
        raise WalletError(WalletCode.CONFLICT,
                          _("Another validator is linked to this device."), field="device")
    try:
        with transaction.atomic():
            validator = Validator.objects.create(code=code, key_hash=hash_key(key),
                                                 device=device or None)
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


def apply_taps(validator: Validator, taps: Sequence[TapIn], *, channel: str = "http",
               pending: int | None = None) -> list[TapResult]:
    """Apply uploaded taps in tap-time order, each once; the one path of every channel
    (``POST /api/wallet/validators/taps``, MQTT through :mod:`misto.wallet.handlers`).

    Set-wise: the upload's cards, tokens' accounts, earlier taps and used tokens, balances,
    passes, benefits and the sums already charged per rider and local day are read in a few
    queries; capping runs in memory in tap-time order; the transfers, postings, rides and
    events are written in bulk, in one transaction. ``pending`` is what the validator says
    it still holds (shown to staff)."""
    now = timezone.now()
    for attempt in range(3):
        try:
            with transaction.atomic():
                results = _Upload(validator, taps, now).apply()
                Validator.objects.filter(pk=validator.pk).update(
                    last_upload_at=now, last_channel=channel[:8],
                    pending_taps=max(0, pending) if pending is not None else None)
            return results
        except IntegrityError:  # pragma: no cover - a concurrent upload wrote a tap first
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _tap_order(tap: TapIn) -> tuple[float, str]:
    """Tap-time order; a time without an offset (refused later) sorts as UTC, not a crash."""
    return (tap.at.replace(tzinfo=tap.at.tzinfo or UTC).timestamp(), tap.tap_id)


@dataclass
class _PassLeft:
    pk: int
    kind: str
    trips_left: int
    valid_from: datetime
    valid_until: datetime
    used: int = 0

    def valid_at(self, at: datetime) -> bool:
        return self.valid_from <= at < self.valid_until


@dataclass
class _Payer:
    account: Account
    token_id: str | None = None
    card: Card | None = None


class _Upload:
    """One upload applied set-wise (see :func:`apply_taps`)."""

    def __init__(self, validator: Validator, taps: Sequence[TapIn], now: datetime) -> None:
        self.validator, self.taps, self.now = validator, list(taps), now
        self.table = fares.fare_table()

    def apply(self) -> list[TapResult]:
        taps, now = self.taps, self.now
        results: list[TapResult | None] = [None] * len(taps)
        order = sorted(range(len(taps)), key=lambda i: _tap_order(taps[i]))
        valid = [i for i in order
                 if taps[i].at.tzinfo is not None and taps[i].at <= now + CLOCK_SKEW]
        payers = self._payers(valid)
        accounts = self._lock({p.account.pk for p in payers.values()
                               if isinstance(p, _Payer)})
        earlier = {tap_id: (charged, basis) for tap_id, charged, basis in
                   Ride.objects.filter(tap_id__in={t.tap_id for t in taps})
                   .values_list("tap_id", "charged", "basis")}
        used_tokens = set(Ride.objects.filter(token_id__in={
            p.token_id for p in payers.values() if isinstance(p, _Payer) and p.token_id})
            .values_list("token_id", flat=True))
        charging = [i for i in valid if isinstance(payers[i], _Payer)
                    and taps[i].tap_id not in earlier]
        self._load_state(accounts, [(payers[i].account.pk, taps[i])  # type: ignore[union-attr]
                                    for i in charging])
        rides: list[Ride] = []
        seen: set[str] = set()
        for i in order:
            tap = taps[i]
            if tap.tap_id in earlier or tap.tap_id in seen:
                charged, basis = earlier.get(tap.tap_id, (0, ""))
                results[i] = TapResult(tap.tap_id, "duplicate", charged=charged, basis=basis)
                continue
            payer = payers.get(i, WalletCode.INVALID)
            if isinstance(payer, _Payer) and payer.token_id in used_tokens:
                payer = WalletCode.TOKEN_REPLAYED
            if not isinstance(payer, _Payer):
                results[i] = TapResult(tap.tap_id, "refused", payer)
                continue
            seen.add(tap.tap_id)
            if payer.token_id:
                used_tokens.add(payer.token_id)
            ride = self._charge(tap, payer, accounts[payer.account.pk])
            rides.append(ride)
            results[i] = TapResult(tap.tap_id, "applied", charged=ride.charged,
                                   basis=ride.basis)
        self._write(rides)
        return [result for result in results if result is not None]

    # --- reads ---------------------------------------------------------------------------

    def _payers(self, indexes: list[int]) -> dict[int, _Payer | WalletCode]:
        """Who pays for each tap (or why nobody does), from two queries."""
        keys = public_keys()
        claims: dict[int, offline.Claims] = {}
        payers: dict[int, _Payer | WalletCode] = {}
        numbers = {self.taps[i].card for i in indexes if self.taps[i].card}
        cards = {card.number: card for card in
                 Card.objects.select_related("account").filter(number__in=numbers)} \
            if numbers else {}
        for i in indexes:
            tap = self.taps[i]
            if tap.card:
                card = cards.get(tap.card)
                if card is None:
                    payers[i] = WalletCode.UNKNOWN_CARD
                elif card.blocked_at is not None and card.blocked_at <= tap.at:
                    payers[i] = WalletCode.CARD_BLOCKED  # blocked before: the deny-list had it
                else:
                    payers[i] = _Payer(card.account, card=card)
                continue
            try:  # valid at the moment of the tap: uploads may come hours later
                claims[i] = offline.verify(tap.token, keys, int(tap.at.timestamp()))
            except offline.TokenRefused as refused:
                payers[i] = TOKEN_REASONS[refused.reason]
        public = {claim.account: _uuid(claim.account) for claim in claims.values()}
        wanted = {ref for ref in public.values() if ref is not None}
        owners = {account.public_id: account for account in Account.objects.filter(
            public_id__in=wanted, kind=AccountKind.RESIDENT)} if wanted else {}
        for i, claim in claims.items():
            account = owners.get(public[claim.account])  # type: ignore[arg-type]
            payers[i] = (_Payer(account, token_id=claim.token_id) if account is not None
                         else WalletCode.NO_ACCOUNT)
        return payers

    def _lock(self, ids: set[int]) -> dict[int, Account]:
        """The payers' accounts, locked in id order (one upload at a time per rider)."""
        return {account.pk: account for account in
                Account.objects.select_for_update().filter(pk__in=ids).order_by("pk")}

    def _load_state(self, accounts: dict[int, Account],
                    charging: list[tuple[int, TapIn]]) -> None:
        """Balances, passes, benefits and the sums charged per rider and local day."""
        ids = {account_id for account_id, _tap in charging}
        taps = [tap for _account_id, tap in charging]
        self.balances: dict[int, int] = dict.fromkeys(ids, 0)
        self.passes: dict[int, list[_PassLeft]] = defaultdict(list)
        self.day_charged: dict[tuple[int, date], int] = defaultdict(int)
        self.week_charged: dict[tuple[int, date], int] = defaultdict(int)
        self.discounts: dict[tuple[int, date], int] = {}
        self.fares_account = system_account(AccountKind.FARES)
        if not taps:
            return
        for account_id, total in (Posting.objects.filter(account_id__in=ids)
                                  .values("account_id").annotate(s=Sum("amount"))
                                  .values_list("account_id", "s")):
            self.balances[account_id] = int(total or 0)
        first, last = min(t.at for t in taps), max(t.at for t in taps)
        for row in (Pass.objects.filter(account_id__in=ids, valid_from__lte=last,
                                        valid_until__gt=first)
                    .order_by("valid_until", "pk")
                    .values_list("pk", "account_id", "product__kind", "trips_left",
                                 "valid_from", "valid_until")):
            self.passes[row[1]].append(_PassLeft(row[0], row[2], row[3], row[4], row[5]))
        since, until = fares.week_bounds(first)[0], fares.week_bounds(last)[1]
        zone = timezone.get_current_timezone()
        for account_id, day, total in (
                Ride.objects.filter(account_id__in=ids, at__gte=since, at__lt=until,
                                    charged__gt=0)
                .annotate(day=TruncDate("at", tzinfo=zone)).values("account_id", "day")
                .annotate(s=Sum("charged")).values_list("account_id", "day", "s")):
            self.day_charged[(account_id, day)] += int(total)
            self.week_charged[(account_id, _monday(day))] += int(total)
        periods = residents.benefit_periods(
            user_ids={a.user_id for a in accounts.values() if a.user_id is not None},
            refs={a.holder for a in accounts.values()
                  if a.user_id is None and a.holder is not None})
        rules = fares.discount_rules()
        for tap_day in {(a, timezone.localtime(t.at).date()) for a, t in charging}:
            account = accounts[tap_day[0]]
            held = periods.get(account.user_id if account.user_id is not None
                               else account.holder, [])
            self.discounts[tap_day] = fares.best_discount(
                [p.code for p in held if p.covers(tap_day[1])], rules)

    # --- capping in memory -------------------------------------------------------------

    def _charge(self, tap: TapIn, payer: _Payer, account: Account) -> Ride:
        account_id, table = account.pk, self.table
        day = timezone.localtime(tap.at).date()
        discount = self.discounts[(account_id, day)]
        fare = fares.discounted(table.single_fare, discount)
        basis, charge, pass_used = RideBasis.FARE, 0, None
        passes = self.passes.get(account_id, [])
        period = next((p for p in passes if p.kind == ProductKind.PERIOD and p.valid_at(tap.at)),
                      None)
        if fare == 0:
            basis = RideBasis.BENEFIT
        elif period is not None:
            basis, pass_used = RideBasis.PASS, period
        else:
            room = min(
                fares.discounted(table.daily_cap, discount) - self.day_charged[(account_id, day)],
                fares.discounted(table.weekly_cap, discount)
                - self.week_charged[(account_id, _monday(day))])
            charge = max(0, min(fare, room))
            trips = next((p for p in passes if p.kind == ProductKind.TRIPS
                          and p.trips_left > p.used and p.valid_at(tap.at)), None) \
                if charge else None
            if charge == 0:
                basis = RideBasis.CAPPED
            elif trips is not None:
                basis, charge, pass_used = RideBasis.PASS, 0, trips
                trips.used += 1
            elif self.balances[account_id] - charge < -account.credit_limit:
                basis, charge = RideBasis.UNPAID, 0  # the validator could not know offline
            else:
                basis = RideBasis.FARE if charge == fare else RideBasis.CAPPED
                self.balances[account_id] -= charge
                self.day_charged[(account_id, day)] += charge
                self.week_charged[(account_id, _monday(day))] += charge
        return Ride(tap_id=tap.tap_id, token_id=payer.token_id, card=payer.card,
                    account=account, validator=self.validator, at=tap.at, charged=charge,
                    basis=basis, pass_used_id=pass_used.pk if pass_used else None)

    # --- writes --------------------------------------------------------------------------

    def _write(self, rides: list[Ride]) -> None:
        paid = [ride for ride in rides if ride.charged]
        transfers = post_transfers(
            TransferKind.FARE,
            [(f"tap:{ride.tap_id}", [Leg(ride.account, -ride.charged),
                                     Leg(self.fares_account, ride.charged)]) for ride in paid],
            memo=self.validator.code)
        for ride, transfer in zip(paid, transfers, strict=True):
            ride.transfer = transfer
        Ride.objects.bulk_create(rides)
        for passes in self.passes.values():
            for used in passes:
                if used.used:
                    Pass.objects.filter(pk=used.pk).update(
                        trips_left=F("trips_left") - used.used)
        bus.publish_many([RideValidated(validator=self.validator.code,
                                        at=ride.at.isoformat(), charged=ride.charged,
                                        basis=ride.basis) for ride in rides])


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def recent_rides(account: Account, limit: int = 20) -> list[Any]:
    return list(Ride.objects.filter(account=account).select_related("validator")
                .order_by("-at")[:limit])
