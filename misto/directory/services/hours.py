"""Opening hours that are right: "open now / opens at 9:00 / closes in 20 min / closed today
(holiday)", computed in the city's time zone.

Three sources, in this order of precedence (Helsinki's Service Map shows closed units as open
because it has only the first):

1. a :class:`Closure` of the unit (a renovation, a sanitary day), with its reason;
2. the shared calendar (``misto.core.workdays``): public holidays and the city's own days off,
   for units that close on them (``Unit.closed_on_days_off``; a hospital's reception does not);
3. the unit's weekly hours in the OpenStreetMap ``opening_hours`` syntax, evaluated by the
   ``opening-hours-py`` library: breaks (``08:00-12:00,13:00-17:00``), seasonal periods
   (``Jun-Aug Mo-Fr 09:00-14:00``), dated rules. Its own ``PH`` rules are not used: the
   library is given no country, so the holidays are the city's calendar, not a second copy.

The library evaluates local wall-clock time, so every instant is converted to the city's zone
(``settings.TIME_ZONE``) first; the answers carry aware datetimes again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

import opening_hours
from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from misto.core.workdays import Calendar, Why
from misto.directory.errors import DirectoryCode, DirectoryError

#: How far ahead "opens on ..." looks; a unit closed longer is "closed until further notice".
LOOKAHEAD_DAYS = 14
#: Below this, "closes in 20 min" instead of "open until 17:00".
SOON = timedelta(minutes=60)
MAX_LENGTH = 500
#: The library raises its ``ParserError`` (an ``Exception``, missing from its type stubs).
PARSE_ERRORS: tuple[type[Exception], ...] = (
    getattr(opening_hours, "ParserError", SyntaxError), SyntaxError, ValueError)


class State(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class ClosedDay:
    """Why a unit is closed all day: a closure or a day off, for people."""

    day: date
    reason: str
    kind: str  # "closure", "public_holiday", "city"


@dataclass(frozen=True)
class OpenStatus:
    state: State
    text: str
    closes_at: datetime | None = None
    opens_at: datetime | None = None
    closed_today: ClosedDay | None = None

    @property
    def is_open(self) -> bool:
        return self.state is State.OPEN


@dataclass(frozen=True)
class DayHours:
    day: date
    intervals: list[tuple[time, time]] = field(default_factory=list)
    closed: ClosedDay | None = None


@dataclass(frozen=True)
class Dated:
    """A closure as the evaluation needs it (no model import: tests and imports build them)."""

    start: date
    end: date
    reason: str


def city_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def window(start: date, days: int = LOOKAHEAD_DAYS + 1) -> Calendar:
    """The shared calendar over the days a status looks at (read once for a whole list)."""
    return Calendar(start, start + timedelta(days=days))


def check_hours(text: str) -> str:
    """The normalised expression, or a refusal saying where the syntax is wrong."""
    text = " ".join((text or "").split())
    if not text:
        return ""
    if len(text) > MAX_LENGTH:
        raise DirectoryError(DirectoryCode.BAD_HOURS,
                             _("Opening hours are at most %(n)s characters.") % {"n": MAX_LENGTH},
                             field="hours")
    try:
        parsed = opening_hours.OpeningHours(text)
    except PARSE_ERRORS as error:
        where = " ".join(str(error).split())[:240]
        raise DirectoryError(
            DirectoryCode.BAD_HOURS,
            _("These opening hours are not in the OpenStreetMap syntax (for example "
              "\"Mo-Fr 08:00-12:00,13:00-17:00; Sa 09:00-13:00\"): %(where)s")
            % {"where": where}, field="hours") from None
    return str(parsed)


class Hours:
    """One unit's hours with its closures and the calendar, over a window of days."""

    def __init__(self, expression: str, closures: list[Dated], *, closed_on_days_off: bool,
                 start: date, days: int = LOOKAHEAD_DAYS + 1,
                 calendar: Calendar | None = None) -> None:
        self.expression = expression
        self.parsed = opening_hours.OpeningHours(expression) if expression else None
        self.closures = closures
        self.closed_on_days_off = closed_on_days_off
        self.calendar = calendar or window(start, days)

    def closed_day(self, day: date) -> ClosedDay | None:
        for closure in self.closures:
            if closure.start <= day <= closure.end:
                return ClosedDay(day, closure.reason, "closure")
        if self.closed_on_days_off:
            off = self.calendar.day_off(day)
            if off is not None and off.why is not Why.WEEKEND:
                return ClosedDay(day, off.reason, str(off.why))
        return None

    def open_intervals(self, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        """Open spans between two local naive datetimes, with closed days cut out."""
        if self.parsed is None:
            return []
        spans = []
        for begin, finish, state, _comment in self.parsed.intervals(start, end):
            if state != opening_hours.State.OPEN:
                continue
            finish = finish or end
            day = begin.date()
            while begin < finish:  # split at midnight: each day may be closed on its own
                midnight = datetime.combine(day + timedelta(days=1), time())
                piece_end = min(finish, midnight)
                if self.closed_day(day) is None:
                    spans.append((begin, piece_end))
                begin, day = piece_end, day + timedelta(days=1)
        merged: list[tuple[datetime, datetime]] = []
        for begin, finish in spans:
            if merged and merged[-1][1] == begin:
                merged[-1] = (merged[-1][0], finish)
            else:
                merged.append((begin, finish))
        return merged


def _clock(value: datetime) -> str:
    return f"{value.hour}:{value.minute:02d}"


def _weekday(value: date) -> str:
    """The day's name as it stands mid-sentence: "Monday", but "понеділок"."""
    name = str(date_format(value, "l"))
    return name if (get_language() or "uk").startswith("en") else name.lower()


def _opens_text(opens: datetime, today: date) -> str:
    if opens.date() == today:
        return _("opens at %(time)s") % {"time": _clock(opens)}
    if opens.date() == today + timedelta(days=1):
        return _("opens tomorrow at %(time)s") % {"time": _clock(opens)}
    return _("opens %(day)s at %(time)s") % {"day": _weekday(opens.date()),
                                             "time": _clock(opens)}


def status(hours: Hours, now: datetime) -> OpenStatus:
    """The state at ``now`` (aware) and what a resident needs next: when it closes or opens."""
    zone = city_zone()
    local = timezone.localtime(now, zone).replace(tzinfo=None, second=0, microsecond=0)
    today = local.date()
    if hours.parsed is None:
        return OpenStatus(State.UNKNOWN, _("opening hours not known"))
    closed = hours.closed_day(today)
    horizon = datetime.combine(today + timedelta(days=LOOKAHEAD_DAYS + 1), time())
    spans = hours.open_intervals(datetime.combine(today, time()), horizon)
    current = next(((b, e) for b, e in spans if b <= local < e), None)
    if current is not None:
        _begin, end = current
        if end >= horizon:
            return OpenStatus(State.OPEN, _("open around the clock"))
        left = end - local
        if left <= SOON:
            minutes = max(1, int(left.total_seconds() // 60))
            text = ngettext("open, closes in %(n)s min", "open, closes in %(n)s min",
                            minutes) % {"n": minutes}
        elif end.date() == today:
            text = _("open until %(time)s") % {"time": _clock(end)}
        elif end.date() == today + timedelta(days=1):
            text = _("open until %(time)s tomorrow") % {"time": _clock(end)}
        else:
            text = _("open until %(day)s %(time)s") % {"day": _weekday(end.date()),
                                                       "time": _clock(end)}
        return OpenStatus(State.OPEN, text, closes_at=end.replace(tzinfo=zone))
    upcoming = next((b for b, _e in spans if b > local), None)
    opens_at = upcoming.replace(tzinfo=zone) if upcoming else None
    if closed is not None:
        text = _("closed today (%(reason)s)") % {"reason": closed.reason}
        if upcoming is not None:
            text += ", " + _opens_text(upcoming, today)
        return OpenStatus(State.CLOSED, text, opens_at=opens_at, closed_today=closed)
    if upcoming is None:
        return OpenStatus(State.CLOSED, _("closed"))
    return OpenStatus(State.CLOSED, _("closed, %(next)s") % {"next": _opens_text(upcoming, today)},
                      opens_at=opens_at)


def week(hours: Hours, start: date, days: int = 7) -> list[DayHours]:
    """The next ``days`` days as the card shows them: spans, or why the day is closed."""
    result = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        closed = hours.closed_day(day)
        spans = [] if closed else hours.open_intervals(
            datetime.combine(day, time()), datetime.combine(day + timedelta(days=1), time()))
        result.append(DayHours(day, [(b.time(), e.time()) for b, e in spans], closed))
    return result
