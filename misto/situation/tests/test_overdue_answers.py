"""A petition or an appeal past its legal deadline is an incident for the centre, once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from misto.appeals import services as appeals
from misto.appeals.models import Reception
from misto.core import outbox
from misto.situation.models import Incident

pytestmark = pytest.mark.django_db


def test_an_overdue_appeal_opens_one_incident_for_its_department() -> None:
    Reception.objects.create(code="mayor", kind="mayor", title_uk="Голова", title_en="Mayor",
                             department="council")
    appeal = appeals.register(appeals.check_appeal(
        "mayor", "application", "Укриття", "Укриття школи зачинене вночі під час тривог."),
        channel="paper", contact="Петро Коваль, вул. Козацька, 2",
        received_on=date(2026, 1, 5))
    appeals.mark_overdue(appeal.due + timedelta(days=1))
    while outbox.deliver_due(limit=100):
        pass
    incident = Incident.objects.get(kind__code="overdue_answer")
    assert incident.department == "council" and appeal.number in incident.title
    appeals.mark_overdue(appeal.due + timedelta(days=2))
    assert Incident.objects.filter(kind__code="overdue_answer").count() == 1
