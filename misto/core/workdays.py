"""The city's working-day calendar, shared by every module that counts days in law.

Deadlines in Ukrainian administrative law are counted in calendar days (an appeal: 15, 30, at
most 45) or in working days (a successful petition: 10). Either way a deadline that falls on a
day off moves to the next working day (Civil Code, Art. 254(5)). Which days are off comes from
three sources, in this order of precedence:

1. the city's own entries (:class:`misto.core.models.CalendarDay`): an extra day off with its
   reason, or a weekend day declared working (a "transferred" working Saturday);
2. public holidays of Ukraine from the ``holidays`` package, which follows the Labour Code
   including the martial-law rule (since 24 February 2022 public holidays are working days,
   Law 2136-IX, so the package lists none) - when that rule ends, a package update brings the
   holidays back; until then a city that needs one enters it as its own day off;
3. Saturdays and Sundays.

Every deadline carries its calculation in words ("received 3 March, 30 days: 2 April, a day
off; moved to 3 April"), so that a resident and an auditor can check it. A deadline is never
stored alone: modules keep its inputs (start, length, kind) and recompute when the calendar
changes (``core.CalendarChanged``), so a holiday added later moves running deadlines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from misto.core import bus
from misto.core.events import CalendarChanged
from misto.core.models import CalendarDay

#: How far a search for the next working day may run before the calendar is declared broken
#: (a city that marks a whole year off has made a mistake, not a holiday).
MAX_DAYS_OFF_IN_A_ROW = 60


class Count(StrEnum):
    CALENDAR = "calendar"
    WORKING = "working"


class Why(StrEnum):
    WEEKEND = "weekend"
    PUBLIC_HOLIDAY = "public_holiday"
    CITY = "city"


@dataclass(frozen=True)
class DayOff:
    day: date
    reason: str
    why: Why


@dataclass(frozen=True)
class Deadline:
    """A computed deadline and the steps that produced it, for people."""

    start: date
    days: int
    count: Count
    due: date
    steps: list[str] = field(default_factory=list)

    def explanation(self) -> str:
        return "; ".join(self.steps)


@lru_cache(maxsize=64)
def _public_holidays(year: int, language: str) -> dict[date, str]:
    # The holidays package is imported on the first deadline computed, not with the core:
    # it costs every process ~0.05 s at start-up.
    import holidays

    names = holidays.country_holidays("UA", years=year,
                                      language="uk" if language.startswith("uk") else "en_US")
    return dict(names.items())


def _city_days(start: date, end: date) -> dict[date, tuple[bool, str]]:
    """The city's own entries between ``start`` and ``end``: day -> (working, reason)."""
    return {row.day: (row.working, row.reason)
            for row in CalendarDay.objects.filter(day__gte=start, day__lte=end)}


class Calendar:
    """The calendar over a range of days, read once (a deadline looks at a few dozen days)."""

    def __init__(self, start: date, end: date) -> None:
        self.start, self.end = start, end
        self.city = _city_days(start, end)
        self.language = get_language() or "uk"

    def day_off(self, day: date) -> DayOff | None:
        """Why ``day`` is not a working day, or ``None`` when it is one."""
        if day in self.city:
            working, reason = self.city[day]
            return None if working else DayOff(day, reason, Why.CITY)
        holiday = _public_holidays(day.year, self.language).get(day)
        if holiday:
            return DayOff(day, holiday, Why.PUBLIC_HOLIDAY)
        if day.weekday() >= 5:
            return DayOff(day, _("Saturday") if day.weekday() == 5 else _("Sunday"), Why.WEEKEND)
        return None

    def next_working_day(self, day: date) -> date:
        for _step in range(MAX_DAYS_OFF_IN_A_ROW):
            if self.day_off(day) is None:
                return day
            day += timedelta(days=1)
        raise ValueError(f"no working day within {MAX_DAYS_OFF_IN_A_ROW} days of {day}")


def _calendar_around(start: date, days: int) -> Calendar:
    return Calendar(start, start + timedelta(days=days * 2 + MAX_DAYS_OFF_IN_A_ROW))


def _day(value: date) -> str:
    return date_format(value, "j E Y" if (get_language() or "uk").startswith("uk") else "j F Y")


def local_day(day: date) -> tuple[datetime, datetime]:
    """The city's calendar day as an aware half-open interval [midnight, next midnight):
    what "per day" means in totals, statistics and waybills (23 or 25 hours when the clocks
    change)."""
    start = timezone.make_aware(datetime.combine(day, time()))
    return start, timezone.make_aware(datetime.combine(day + timedelta(days=1), time()))


def is_working_day(day: date) -> bool:
    return Calendar(day, day).day_off(day) is None


def day_off(day: date) -> DayOff | None:
    return Calendar(day, day).day_off(day)


def calendar_deadline(start: date, days: int) -> Deadline:
    """``days`` calendar days from ``start`` (the day of receipt is not counted); a last day
    that is a day off moves to the next working day."""
    if days < 0:
        raise ValueError("a deadline cannot be negative")
    calendar = _calendar_around(start, days)
    end = start + timedelta(days=days)
    steps = [_("received %(start)s, %(days)s calendar days: %(end)s")
             % {"start": _day(start), "days": days, "end": _day(end)}]
    due = calendar.next_working_day(end)
    if due != end:
        off = calendar.day_off(end)
        steps.append(_("%(end)s is a day off (%(reason)s); moved to %(due)s")
                     % {"end": _day(end), "reason": off.reason if off else "", "due": _day(due)})
    return Deadline(start, days, Count.CALENDAR, due, steps)


def working_deadline(start: date, days: int) -> Deadline:
    """The ``days``-th working day after ``start`` (the day of receipt is not counted)."""
    if days < 0:
        raise ValueError("a deadline cannot be negative")
    calendar = _calendar_around(start, days)
    day, counted, skipped = start, 0, []
    while counted < days:
        day += timedelta(days=1)
        off = calendar.day_off(day)
        if off is None:
            counted += 1
        elif off.why is not Why.WEEKEND:
            skipped.append(off)
    steps = [_("received %(start)s, %(days)s working days: %(due)s")
             % {"start": _day(start), "days": days, "due": _day(day)}]
    steps += [_("%(day)s not counted (%(reason)s)") % {"day": _day(off.day), "reason": off.reason}
              for off in skipped]
    return Deadline(start, days, Count.WORKING, day, steps)


def deadline(start: date, days: int, count: Count | str) -> Deadline:
    """A deadline by its stored inputs (what modules keep, so it can be recomputed)."""
    if Count(count) is Count.WORKING:
        return working_deadline(start, days)
    return calendar_deadline(start, days)


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end <= start``)."""
    if end <= start:
        return 0
    calendar = Calendar(start, end)
    return sum(1 for offset in range(1, (end - start).days + 1)
               if calendar.day_off(start + timedelta(days=offset)) is None)


def set_city_day(day: date, *, working: bool, reason: str) -> CalendarDay:
    """Add or change the city's entry for ``day``; modules recompute running deadlines."""
    reason = reason.strip()
    if not reason:
        raise ValueError("a calendar entry needs its reason")
    with transaction.atomic():
        row, _created = CalendarDay.objects.update_or_create(
            day=day, defaults={"working": working, "reason": reason[:200]})
        bus.publish(CalendarChanged(day=day.isoformat()))
    return row


def remove_city_day(day: date) -> None:
    with transaction.atomic():
        if CalendarDay.objects.filter(day=day).delete()[0]:
            bus.publish(CalendarChanged(day=day.isoformat()))
