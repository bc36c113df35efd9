"""Periods: a year (``2026``), a quarter (``2026-Q1``) or a month (``2026-03``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time

from django.utils import timezone
from django.utils.translation import gettext as _

from misto.index.errors import IndexCode, ProgressIndexError

PATTERN = re.compile(r"^(\d{4})(?:-(?:Q([1-4])|(0[1-9]|1[0-2])))?$")


@dataclass(frozen=True)
class Period:
    code: str
    first: date  # first day
    after: date  # the day after the last

    @property
    def year(self) -> int:
        return self.first.year

    @property
    def kind(self) -> str:
        return "year" if len(self.code) == 4 else ("quarter" if "Q" in self.code else "month")

    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) as aware datetimes at the city's midnight."""
        zone = timezone.get_current_timezone()
        return (datetime.combine(self.first, time.min, zone),
                datetime.combine(self.after, time.min, zone))

    def has_ended(self, today: date | None = None) -> bool:
        return self.after <= (today or timezone.localdate())

    def has_begun(self, today: date | None = None) -> bool:
        return self.first <= (today or timezone.localdate())


def parse(code: str) -> Period:
    """The period ``code`` names; BAD_PERIOD for anything else (years 2000-2100)."""
    match = PATTERN.match(code.strip()) if isinstance(code, str) else None
    if not match or not 2000 <= int(match.group(1)) <= 2100:
        raise ProgressIndexError(IndexCode.BAD_PERIOD, _(
            "A period is a year (2026), a quarter (2026-Q1) or a month (2026-03)."),
            field="period")
    year = int(match.group(1))
    if match.group(2):
        quarter = int(match.group(2))
        first = date(year, 3 * quarter - 2, 1)
        after = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    elif match.group(3):
        month = int(match.group(3))
        first = date(year, month, 1)
        after = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    else:
        first, after = date(year, 1, 1), date(year + 1, 1, 1)
    return Period(code.strip(), first, after)


def not_future(period: Period) -> Period:
    """Refuse a period that has not begun (nothing can be measured in it yet)."""
    if not period.has_begun():
        raise ProgressIndexError(IndexCode.FUTURE_PERIOD, _(
            "The period %(period)s has not begun yet.") % {"period": period.code},
            field="period")
    return period


def quarters(year: int) -> list[Period]:
    return [parse(f"{year}-Q{q}") for q in range(1, 5)]
