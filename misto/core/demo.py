"""The demo city's own calendar (``misto.core.workdays``): the days off its executive
committee declared for the current year, so the demo's running deadlines (appeals, petitions)
visibly move around them and say why.

Under martial law the public holidays of Ukraine are working days (Law 2136-IX; the
``holidays`` package lists none), so a city's days off are its own entries, each with its
reason. Two of the demo's entries are fixed days of the year, two fall where the demo's
running clocks are (a week ahead, and the end of a month-long appeal term), so the demo always
has a deadline moved by a day off, whatever day it is loaded. Loading again adds nothing.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import IO, Any

from django.utils import timezone

from misto.core import workdays
from misto.core.models import CalendarDay

#: An appeal's usual term (Art. 20: one month) and the demo appeals' age, so one entry falls
#: on the day the demo's month-long terms end.
TERM, RECEIVED_AGO = 30, 3


def _first_monday(year: int, month: int) -> date:
    day = date(year, month, 1)
    return day + timedelta(days=(7 - day.weekday()) % 7)


def _weekday_from(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def demo_days(today: date) -> list[tuple[date, str]]:
    """The demo's days off for ``today``'s year (and the running clocks that reach past it)."""
    return [
        (_first_monday(today.year, 10), "День міста (рішення виконкому)"),
        (date(today.year, 12, 31), "Передноворічний день (рішення виконкому)"),
        (_weekday_from(today + timedelta(days=7)),
         "Вихідний день за рішенням виконкому (відпрацювання не передбачено)"),
        (_weekday_from(today - timedelta(days=RECEIVED_AGO) + timedelta(days=TERM)),
         "Вихідний день за рішенням виконкому (День пам'яті)"),
    ]


def load(stdout: IO[str] | Any) -> None:
    added = 0
    for day, reason in demo_days(timezone.localdate()):
        if not CalendarDay.objects.filter(day=day).exists():
            workdays.set_city_day(day, working=False, reason=reason)
            added += 1
    stdout.write(f"core: {added} of the city's own days off added to the calendar (the "
                 f"public holidays are working days under martial law)\n")
