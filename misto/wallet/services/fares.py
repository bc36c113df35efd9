"""Fares, passes, benefits and capping.

What a ride costs is decided in this order: a register benefit that makes rides free; a
period pass valid at the tap; then the fare, less the benefit's discount, capped so that
the rides charged in the tap's day (week) never sum above the day (week) cap; only a ride
that would still cost money uses a trip of a trip pass. Days and weeks are the city's
local calendar (``TIME_ZONE``), weeks from Monday. A benefit counts on the days the register
holds it valid (``misto.residents.benefits_on``), so one expiring today stops at midnight.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from misto import residents
from misto.core import bus
from misto.core.workdays import local_day
from misto.wallet.errors import WalletCode, WalletError
from misto.wallet.events import PassSold
from misto.wallet.models import (
    Account,
    AccountKind,
    BenefitRule,
    FareTable,
    Pass,
    Product,
    ProductKind,
    Ride,
    RideBasis,
    TransferKind,
)
from misto.wallet.services.accounts import system_account
from misto.wallet.services.journal import Leg, do_transfer


def fare_table() -> FareTable:
    table = FareTable.objects.filter(code="standard").first()
    if table is None:
        raise WalletError(WalletCode.NOT_FOUND, _("The city has not set its fares yet."))
    return table


def discount_for(user: Any, at: datetime) -> int:
    """The best discount (percent) the register's benefits give on the tap's local day."""
    codes = residents.benefits_on(user, timezone.localtime(at).date()) if user else []
    return _best_discount(codes)


def discount_for_account(account: Account, at: datetime) -> int:
    """:func:`discount_for` of whom the account rides for: its resident, or the child of a
    pupil's account (by the register's reference: a child has no sign-in)."""
    if account.user_id is None and account.holder is not None:
        return _best_discount(residents.benefits_of(account.holder,
                                                    timezone.localtime(at).date()))
    return discount_for(account.user, at)


def _best_discount(codes: list[str]) -> int:
    rules = BenefitRule.objects.filter(category__in=codes).values_list("discount_percent",
                                                                       flat=True)
    return min(100, max(rules, default=0))


def discount_rules() -> dict[str, int]:
    """Benefit category -> discount percent (an upload reads them once)."""
    return dict(BenefitRule.objects.values_list("category", "discount_percent"))


def best_discount(codes: list[str], rules: dict[str, int]) -> int:
    """:func:`discount_for` from codes already read (``rules`` from :func:`discount_rules`)."""
    return min(100, max((rules[code] for code in codes if code in rules), default=0))


def discounted(amount: int, discount: int) -> int:
    return amount * (100 - discount) // 100


def day_bounds(at: datetime) -> tuple[datetime, datetime]:
    return local_day(timezone.localdate(at))


def week_bounds(at: datetime) -> tuple[datetime, datetime]:
    start, _end = day_bounds(at)
    start = start - timedelta(days=start.weekday())
    return start, start + timedelta(days=7)


def _charged(account: Account, bounds: tuple[datetime, datetime]) -> int:
    total = (Ride.objects.filter(account=account, at__gte=bounds[0], at__lt=bounds[1])
             .aggregate(s=Sum("charged"))["s"])
    return int(total or 0)


@dataclass(frozen=True)
class Quote:
    basis: RideBasis
    charge: int
    pass_id: int | None = None


def quote_ride(account: Account, at: datetime, *, table: FareTable | None = None,
               discount: int | None = None) -> Quote:
    """What a ride at ``at`` costs this account now (reads only). An upload passes the
    fare table and the day's discount it already read (they do not change within it)."""
    table = table or fare_table()
    discount = discount_for_account(account, at) if discount is None else discount
    fare = discounted(table.single_fare, discount)
    if fare == 0:
        return Quote(RideBasis.BENEFIT, 0)
    period = (Pass.objects.filter(account=account, product__kind=ProductKind.PERIOD,
                                  valid_from__lte=at, valid_until__gt=at).first())
    if period is not None:
        return Quote(RideBasis.PASS, 0, period.pk)
    room = min(discounted(table.daily_cap, discount) - _charged(account, day_bounds(at)),
               discounted(table.weekly_cap, discount) - _charged(account, week_bounds(at)))
    charge = max(0, min(fare, room))
    if charge == 0:
        return Quote(RideBasis.CAPPED, 0)
    trips = (Pass.objects.filter(account=account, product__kind=ProductKind.TRIPS,
                                 trips_left__gt=0, valid_from__lte=at, valid_until__gt=at)
             .order_by("valid_until").first())
    if trips is not None:
        return Quote(RideBasis.PASS, 0, trips.pk)
    return Quote(RideBasis.FARE if charge == fare else RideBasis.CAPPED, charge)


def products() -> list[Product]:
    return list(Product.objects.filter(active=True))


def check_product(code: str) -> Product:
    product = Product.objects.filter(code=code, active=True).first()
    if product is None:
        raise WalletError(WalletCode.UNKNOWN_PRODUCT, _("There is no such pass on sale."),
                          field="product")
    return product


def do_buy_pass(account: Account, product: Product, key: str) -> Pass:
    """Sell a pass from the balance (never on credit); ``key`` makes a retry a no-op."""
    now = timezone.now()
    start, _end = day_bounds(now)
    with transaction.atomic():
        transfer = do_transfer(TransferKind.PASS, f"pass:{account.pk}:{key}",
                               [Leg(account, -product.price),
                                Leg(system_account(AccountKind.PASSES), product.price)],
                               memo=product.code)
        days = product.days or 30
        bought = Pass.objects.create(account=account, product=product,
                                     trips_left=product.trips, valid_from=now,
                                     valid_until=start + timedelta(days=days),
                                     transfer=transfer)
        bus.publish(PassSold(product=product.code, price=product.price))
    return bought


def use_trip(pass_id: int) -> bool:
    """Take one trip off a trip pass; False when another tap took the last one first."""
    return bool(Pass.objects.filter(pk=pass_id, trips_left__gt=0)
                .update(trips_left=F("trips_left") - 1))


def active_passes(account: Account) -> list[Pass]:
    now = timezone.now()
    return list(Pass.objects.filter(account=account, valid_until__gt=now)
                .select_related("product").order_by("valid_until"))
