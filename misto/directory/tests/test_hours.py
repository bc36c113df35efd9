""""Open now" that is right: breaks, a holiday on a weekday, a city day off, a closure,
a seasonal period, just before and after closing, and the city's time zone.

Public holidays are a pre-2022 year: since 24 February 2022 martial law makes them working
days (see misto.core.workdays), so 7 January 2021 (Christmas, a Thursday) is the weekday
holiday here, and a city day off stands in for a holiday today.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from misto.core import workdays
from misto.directory import services
from misto.directory.errors import DirectoryCode, DirectoryError
from misto.directory.services.hours import Dated, Hours, State, status

KYIV = ZoneInfo("Europe/Kyiv")
BREAKS = "Mo-Fr 08:00-12:00,13:00-17:00"

pytestmark = pytest.mark.django_db


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=KYIV)


def state(expression: str, when: datetime, *, closures: list[Dated] | None = None,
          days_off: bool = True) -> Any:
    with translation.override("en"):
        hours = Hours(expression, closures or [], closed_on_days_off=days_off,
                      start=when.astimezone(KYIV).date())
        return status(hours, when)


MONDAY = date(2021, 3, 1)


def test_open_with_a_lunch_break() -> None:
    assert state(BREAKS, at(MONDAY, 9)).text == "open until 12:00"
    lunch = state(BREAKS, at(MONDAY, 12, 30))
    assert lunch.state is State.CLOSED
    assert lunch.text == "closed, opens at 13:00"
    assert lunch.opens_at == at(MONDAY, 13)


def test_just_before_and_just_after_closing() -> None:
    before = state(BREAKS, at(MONDAY, 16, 40))
    assert before.is_open and before.text == "open, closes in 20 min"
    assert before.closes_at == at(MONDAY, 17)
    assert state(BREAKS, at(MONDAY, 16, 59)).text == "open, closes in 1 min"
    after = state(BREAKS, at(MONDAY, 17))
    assert not after.is_open
    assert after.text == "closed, opens tomorrow at 8:00"


def test_weekend_says_the_day_it_opens() -> None:
    saturday = state(BREAKS, at(date(2021, 3, 13), 10))
    assert saturday.text == "closed, opens Monday at 8:00"
    # A week earlier Monday was 8 March, a public holiday in 2021: the next opening skips it.
    before_holiday = state(BREAKS, at(date(2021, 3, 6), 10))
    assert before_holiday.text == "closed, opens Tuesday at 8:00"


def test_a_public_holiday_on_a_weekday_closes_the_office() -> None:
    christmas = state(BREAKS, at(date(2021, 1, 7), 10))  # a Thursday
    assert christmas.state is State.CLOSED
    assert christmas.closed_today is not None
    assert christmas.closed_today.kind == "public_holiday"
    assert christmas.text.startswith("closed today (")
    # 8 January 2021 was a day off too (transferred by the Cabinet): the next opening is Monday.
    assert christmas.text.endswith("opens Monday at 8:00")


def test_a_hospital_open_on_holidays_stays_open() -> None:
    assert state(BREAKS, at(date(2021, 1, 7), 10), days_off=False).is_open


def test_the_citys_own_day_off(db: Any) -> None:
    day = date(2026, 9, 21)  # a Monday
    workdays.set_city_day(day, working=False, reason="День міста")
    result = state(BREAKS, at(day, 10))
    assert result.state is State.CLOSED
    assert result.closed_today is not None and result.closed_today.reason == "День міста"
    assert "День міста" in result.text


def test_a_closure_with_its_reason() -> None:
    closure = Dated(MONDAY, MONDAY + timedelta(days=1), "sanitary day")
    result = state(BREAKS, at(MONDAY, 10), closures=[closure])
    assert result.text == "closed today (sanitary day), opens Wednesday at 8:00"
    assert result.opens_at == at(MONDAY + timedelta(days=2), 8)


def test_a_seasonal_period() -> None:
    seasonal = "Mo-Fr 08:00-17:00; Jul-Aug Mo-Fr 09:00-13:00"
    assert state(seasonal, at(date(2021, 6, 1), 14)).is_open
    july = state(seasonal, at(date(2021, 7, 5), 14))
    assert not july.is_open and july.text == "closed, opens tomorrow at 9:00"
    assert state(seasonal, at(date(2021, 7, 5), 8, 30)).text == "closed, opens at 9:00"


def test_computed_in_the_citys_time_zone() -> None:
    # 05:30 UTC is 08:30 in Kyiv in summer (UTC+3), 07:30 in winter (UTC+2).
    summer = state(BREAKS, datetime(2021, 7, 5, 5, 30, tzinfo=UTC))
    assert summer.is_open
    winter = state(BREAKS, datetime(2021, 3, 1, 5, 30, tzinfo=UTC))
    assert not winter.is_open and winter.text == "closed, opens at 8:00"
    assert winter.opens_at == datetime(2021, 3, 1, 6, 0, tzinfo=UTC)


def test_around_the_clock_and_unknown() -> None:
    assert state("24/7", at(MONDAY, 3), days_off=False).text == "open around the clock"
    # Closed on days off: open until the eve of 8 March, a public holiday in 2021.
    assert state("24/7", at(MONDAY, 3)).text == "open until Monday 0:00"
    with translation.override("en"):
        empty = status(Hours("", [], closed_on_days_off=True, start=MONDAY), at(MONDAY, 9))
    assert empty.state is State.UNKNOWN


def test_ukrainian_text() -> None:
    with translation.override("uk"):
        hours = Hours(BREAKS, [], closed_on_days_off=True, start=MONDAY)
        assert status(hours, at(MONDAY, 16, 40)).text == "відчинено, зачиняється через 20 хв"


@pytest.mark.parametrize("bad", ["Mo-Fx 08:00-17:00", "Mo-Fr 08:00 to 17:00", "every day",
                                 "Mo-Fr 8-17"])
def test_an_unparseable_string_is_refused_and_changes_nothing(bad: str, cnap: Any) -> None:
    with pytest.raises(DirectoryError) as refused:
        services.set_hours(cnap, bad)
    assert refused.value.code == DirectoryCode.BAD_HOURS
    assert "OpenStreetMap" in refused.value.message
    cnap.refresh_from_db()
    assert cnap.hours == BREAKS


def test_hours_round_trip_the_osm_syntax(cnap: Any) -> None:
    services.set_hours(cnap, "  Mo-Fr 08:00-12:00,13:00-17:00;   Sa 09:00-13:00 ")
    cnap.refresh_from_db()
    assert cnap.hours == "Mo-Fr 08:00-12:00,13:00-17:00; Sa 09:00-13:00"
