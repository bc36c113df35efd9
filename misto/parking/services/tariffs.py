"""Tariffs as data: what a minute costs in a zone at a local time, and what a stay costs.

A zone's tariffs say, per ISO weekday and local hour, the price of an hour; hours no row
covers are free. A stay is billed per started minute: ``minutes = ceil(seconds / 60)`` and
the amount is the sum over the billed minutes of each hour's price, rounded up to a whole
kopiyka. Hours are cut at UTC hour boundaries (Kyiv's offset is whole hours, so they are
local hour boundaries too) and priced by their local weekday and hour.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.utils import timezone

from misto.parking.models import Tariff, Zone

HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Bill:
    minutes: int
    amount: int  # kopiyky


def tariffs_of(zone: Zone) -> list[Tariff]:
    return list(zone.tariffs.all())


def tariff_at(tariffs: Sequence[Tariff], at: datetime) -> Tariff | None:
    local = timezone.localtime(at)
    weekday, hour = str(local.isoweekday()), local.hour
    for tariff in tariffs:
        if weekday in tariff.weekdays and tariff.start_hour <= hour < tariff.end_hour:
            return tariff
    return None


def _hour_start(at: datetime) -> datetime:
    return at.replace(minute=0, second=0, microsecond=0)


def bill(tariffs: Sequence[Tariff], start: datetime, end: datetime) -> Bill:
    """The minutes and the amount of a stay from ``start`` to ``end``."""
    # A started minute is a minute, however short: a stay of 0.4 s is one minute, not none.
    minutes = math.ceil(max(0.0, (end - start).total_seconds()) / 60)
    billed_end = start + timedelta(minutes=minutes)
    total = 0  # kopiyky x seconds / hour
    at = start
    while at < billed_end:
        upto = min(billed_end, _hour_start(at.astimezone(UTC)) + HOUR)
        tariff = tariff_at(tariffs, at)
        if tariff is not None:
            total += tariff.price_per_hour * int((upto - at).total_seconds())
        at = upto
    return Bill(minutes, -(-total // 3600))


def paid_until(tariffs: Sequence[Tariff], start: datetime, limit: datetime) -> datetime:
    """The end of the run of paid hours that ``start`` falls in (no later than ``limit``)."""
    at = _hour_start(start.astimezone(UTC)) + HOUR
    while at < limit and tariff_at(tariffs, at) is not None:
        at += HOUR
    return min(at, limit)


def next_paid(tariffs: Sequence[Tariff], start: datetime, days: int = 8) -> datetime | None:
    """When paid hours begin next after ``start`` (None: never within ``days``)."""
    at = _hour_start(start.astimezone(UTC)) + HOUR
    for _hour in range(days * 24):
        if tariff_at(tariffs, at) is not None:
            return at
        at += HOUR
    return None
