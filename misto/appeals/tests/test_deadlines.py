"""Art. 20's clock on the city's calendar: 15 or 30 days, extended with notice to 45 at most."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from misto.appeals import services
from misto.appeals.errors import AppealError, AppealsCode
from misto.appeals.models import Appeal, Message, MessageKind
from misto.core import outbox, workdays
from misto.core.models import OutboxEvent

from .conftest import TEXT

pytestmark = pytest.mark.django_db


def _register(received: date) -> Appeal:
    return services.register(services.check_appeal("light-head", "complaint", "Ліхтар", TEXT),
                             channel="phone", contact="Іван Петренко, вул. Шевченка, 3",
                             received_on=received)


def test_a_month_ending_on_a_weekend_moves_to_monday(receptions) -> None:
    # Friday 23 Oct 2026 + 30 days = Sunday 22 Nov -> Monday 23 Nov.
    appeal = _register(date(2026, 10, 23))
    assert appeal.due == date(2026, 11, 23)
    assert "22" in services.deadline_of(appeal).explanation()


def test_fifteen_days_when_no_study_is_needed(receptions, clerk) -> None:
    appeal = _register(date(2026, 12, 1))
    services.assign(clerk, appeal, clerk, 15)
    assert appeal.due == date(2026, 12, 16)
    with pytest.raises(AppealError) as refused:
        services.assign(clerk, appeal, clerk, 20)
    assert refused.value.field == "term_days"


def test_a_day_off_added_after_registration_moves_the_deadline(receptions) -> None:
    appeal = _register(date(2026, 12, 1))  # due Thursday 31 December
    answered = _register(date(2026, 12, 1))
    answered.status = "answered"
    answered.save(update_fields=["status"])
    assert appeal.due == date(2026, 12, 31)
    while outbox.deliver_due(limit=500):
        pass
    workdays.set_city_day(date(2026, 12, 31), working=False, reason="Передноворічний день")
    # The core publishes core.CalendarChanged; the appeals' handler runs from the outbox.
    assert Appeal.objects.get(pk=appeal.pk).due == date(2026, 12, 31)
    while outbox.deliver_due(limit=500):
        pass
    appeal.refresh_from_db()
    deadline = workdays.calendar_deadline(date(2026, 12, 1), 30)
    # 1 January 2027 is a Friday and, under martial law, a working day (the package lists no
    # public holidays), so the deadline moves by exactly one day, and says why.
    assert appeal.due == deadline.due == date(2027, 1, 1)
    assert "Передноворічний день" in deadline.explanation()
    assert Appeal.objects.get(pk=answered.pk).due == date(2026, 12, 31)  # a closed one stays


def test_extension_to_45_days_with_notice_and_never_beyond(receptions, clerk) -> None:
    appeal = _register(date(2026, 12, 1))
    services.extend(clerk, appeal, 45, "Потрібне обстеження мережі")
    assert appeal.term_days == 45
    assert appeal.due == workdays.calendar_deadline(date(2026, 12, 1), 45).due
    notice = Message.objects.get(appeal=appeal, kind=MessageKind.EXTENSION)
    assert "45" in notice.text and "обстеження" in notice.text
    assert OutboxEvent.objects.filter(name="appeals.AppealMessageSent",
                                      payload__kind="extension").exists()
    with pytest.raises(AppealError) as refused:
        services.extend(clerk, appeal, 46, "ще")
    assert refused.value.code == AppealsCode.EXTENSION_LIMIT
    with pytest.raises(AppealError):
        services.extend(clerk, appeal, 40, "коротше за поточний строк")
    with pytest.raises(AppealError):
        services.extend(clerk, _register(date(2026, 12, 2)), 45, "  ")


def test_overdue_is_escalated_once(receptions, clerk) -> None:
    appeal = _register(date(2026, 1, 5))
    assert services.mark_overdue(appeal.due) == 0
    assert services.mark_overdue(appeal.due + timedelta(days=1)) == 1
    assert services.mark_overdue(appeal.due + timedelta(days=2)) == 0
    event = OutboxEvent.objects.get(name="appeals.AppealOverdue")
    assert event.payload["number"] == appeal.number and event.payload["department"] == "light"
