"""A petition or an appeal past its legal deadline is an incident for the centre, once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from misto.appeals import services as appeals
from misto.appeals.models import Reception
from misto.core import outbox
from misto.petitions import services as petitions
from misto.petitions.models import ModerationRule, Rules
from misto.residents import levels
from misto.situation.models import Incident
from misto.testing import make_staff
from misto.testing.world import build_city, make_resident

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


def test_an_overdue_petition_answer_opens_one_incident_for_the_answering_department() -> None:
    build_city()
    ModerationRule.objects.create(code="R1", title_uk="П", title_en="R", text_uk="т",
                                  text_en="t")
    Rules.objects.create(threshold=2, answering_department="council")
    petition = petitions.open_petition(make_staff("moderator", "moderator"), petitions.submit(
        petitions.do_create_draft(make_resident("author"), petitions.check_draft(
            "Світлофор біля школи № 5", "x" * 60, "transport"))))
    for name in ("s1", "s2"):
        petitions.sign(make_resident(name), levels.VERIFIED, petition)
    petition.refresh_from_db()
    due, number = petition.answer_due, petition.number or ""
    assert due is not None and number
    assert petitions.mark_overdue(due + timedelta(days=1)) == 1
    while outbox.deliver_due(limit=100):
        pass
    incident = Incident.objects.get(kind__code="overdue_answer")
    assert incident.department == "council" and number in incident.title
    assert petitions.mark_overdue(due + timedelta(days=2)) == 0
    while outbox.deliver_due(limit=100):
        pass
    assert Incident.objects.filter(kind__code="overdue_answer").count() == 1
