"""The working-day calendar: weekends, public holidays from the law, the city's own days."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from misto.core import workdays
from misto.core.models import OutboxEvent

pytestmark = pytest.mark.django_db


def test_a_calendar_deadline_on_a_weekend_moves_to_monday() -> None:
    # Friday 6 Nov 2026 + 15 days = Saturday 21 Nov -> Monday 23 Nov.
    with translation.override("en"):
        deadline = workdays.calendar_deadline(date(2026, 11, 6), 15)
    assert deadline.due == date(2026, 11, 23)
    assert deadline.steps == ["received 6 November 2026, 15 calendar days: 21 November 2026",
                              "21 November 2026 is a day off (Saturday); moved to "
                              "23 November 2026"]


def test_a_working_day_deadline_skips_weekends() -> None:
    # Thursday 3 Dec 2026 + 10 working days = Thursday 17 Dec.
    assert workdays.working_deadline(date(2026, 12, 3), 10).due == date(2026, 12, 17)
    assert workdays.working_days_between(date(2026, 12, 3), date(2026, 12, 17)) == 10
    assert workdays.working_days_between(date(2026, 12, 17), date(2026, 12, 3)) == 0


def test_public_holidays_come_from_the_law() -> None:
    # 2021, before martial law: 23 Aug (transferred day off) and 24 Aug (Independence Day).
    assert workdays.calendar_deadline(date(2021, 8, 20), 3).due == date(2021, 8, 25)
    with translation.override("uk"):
        deadline = workdays.working_deadline(date(2021, 8, 20), 1)
    assert deadline.due == date(2021, 8, 25)
    assert any("незалежності" in step for step in deadline.steps)
    # Under martial law (since 24 Feb 2022) public holidays are working days.
    assert workdays.is_working_day(date(2026, 8, 24))


def test_a_day_off_added_later_moves_the_deadline_and_is_announced() -> None:
    before = workdays.working_deadline(date(2026, 12, 3), 10)
    workdays.set_city_day(date(2026, 12, 8), working=False, reason="День жалоби")
    after = workdays.working_deadline(date(2026, 12, 3), 10)
    assert after.due == date(2026, 12, 18) and before.due == date(2026, 12, 17)
    assert any("День жалоби" in step for step in after.steps)
    assert OutboxEvent.objects.filter(name="core.CalendarChanged",
                                      payload={"day": "2026-12-08"}).exists()
    workdays.remove_city_day(date(2026, 12, 8))
    assert workdays.working_deadline(date(2026, 12, 3), 10).due == before.due


def test_a_weekend_declared_working_counts() -> None:
    saturday = date(2026, 12, 12)
    assert not workdays.is_working_day(saturday)
    workdays.set_city_day(saturday, working=True, reason="Робоча субота")
    assert workdays.is_working_day(saturday)
    assert workdays.working_deadline(date(2026, 12, 10), 2).due == saturday


@pytest.mark.parametrize("call", [
    lambda: workdays.calendar_deadline(date(2026, 1, 1), -1),
    lambda: workdays.working_deadline(date(2026, 1, 1), -1),
    lambda: workdays.set_city_day(date(2026, 1, 1), working=False, reason="  "),
])
def test_nonsense_is_refused(call) -> None:
    with pytest.raises(ValueError):
        call()


def test_deadline_by_its_stored_inputs() -> None:
    assert workdays.deadline(date(2026, 12, 3), 10, "working").due == date(2026, 12, 17)
    assert workdays.deadline(date(2026, 12, 3), 10, "calendar").due == date(2026, 12, 14)


def test_the_demo_calendar_moves_the_demos_running_deadlines_once() -> None:
    import io
    from datetime import timedelta

    from django.utils import timezone

    from misto.core import demo
    from misto.core.models import CalendarDay

    today = timezone.localdate()
    received = today - timedelta(days=demo.RECEIVED_AGO)
    before_appeal = workdays.calendar_deadline(received, demo.TERM).due
    before_petition = workdays.working_deadline(today, 10).due
    demo.load(io.StringIO())
    demo.load(io.StringIO())  # idempotent: nothing added twice
    days = {day for day, _reason in demo.demo_days(today)}
    assert set(CalendarDay.objects.values_list("day", flat=True)) == days
    assert all(not workdays.is_working_day(day) for day in days)
    assert date(today.year, 12, 31) in days
    assert workdays.calendar_deadline(received, demo.TERM).due > before_appeal
    moved = workdays.working_deadline(today, 10)
    assert moved.due > before_petition and "рішенням виконкому" in moved.explanation()
