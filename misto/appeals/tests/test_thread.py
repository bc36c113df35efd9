"""One thread per appeal: the resident writes, the office asks, the resident answers, the
office answers before the deadline; strangers see nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from misto.appeals import services
from misto.appeals.errors import AppealError, AppealProblems
from misto.appeals.models import Appeal, Status
from misto.core.models import OutboxEvent
from misto.testing import make_staff
from misto.testing.world import make_resident

from .conftest import TEXT, signed_in

pytestmark = pytest.mark.django_db


def test_the_whole_correspondence_through_the_api(receptions, resident, clerk) -> None:
    writer = signed_in(resident)
    response = writer.post("/api/appeals/", {"reception": "light-head", "kind": "complaint",
                                             "subject": "Не світить ліхтар", "text": TEXT},
                           content_type="application/json")
    assert response.status_code == 201, response.content
    number = response.json()["number"]
    office = signed_in(clerk)
    assert office.post(f"/api/appeals/{number}/assignment",
                       {"executor": "light-clerk", "term_days": 15},
                       content_type="application/json").status_code == 200
    asked = office.post(f"/api/appeals/{number}/information-requests",
                        {"text": "Уточніть, будь ласка, номер опори."},
                        content_type="application/json")
    assert asked.status_code == 201 and asked.json()["status"] == "info_requested"
    replied = writer.post(f"/api/appeals/{number}/replies", {"text": "Опора 12-0457."},
                          content_type="application/json")
    assert replied.status_code == 201 and replied.json()["status"] == "in_progress"
    answered = office.post(f"/api/appeals/{number}/answer",
                           {"text": "Ліхтар на опорі 12-0457 замінено 5 грудня."},
                           content_type="application/json")
    assert answered.status_code == 200
    thread = writer.get(f"/api/appeals/{number}").json()
    assert [m["kind"] for m in thread["messages"]] == ["appeal", "info_request", "message",
                                                       "answer"]
    assert thread["status"] == "answered"
    (event,) = [e.payload for e in OutboxEvent.objects.filter(name="appeals.AppealAnswered")]
    assert event["on_time"] is True and event["author_user_id"] == resident.pk
    again = writer.post(f"/api/appeals/{number}/replies", {"text": "Дякую"},
                        content_type="application/json")
    assert again.status_code == 409


def test_a_hidden_appeal_answers_like_a_missing_one(appeal: Appeal, client: Client) -> None:
    stranger = signed_in(make_resident("stranger"))
    other_office = signed_in(make_staff("roads-clerk", "clerk", department="roads"))
    for who in (stranger, other_office):
        hidden = who.get(f"/api/appeals/{appeal.number}")
        missing = who.get("/api/appeals/2026-999999")
        assert hidden.status_code == missing.status_code == 404
        assert hidden.json() == missing.json()
    assert client.get(f"/api/appeals/{appeal.number}").status_code == 401
    assert signed_in(make_staff("auditor", "auditor")).get(
        f"/api/appeals/{appeal.number}").status_code == 200


def test_every_problem_at_once_and_nothing_written(receptions) -> None:
    with pytest.raises(AppealProblems) as refused:
        services.check_appeal("nowhere", "wish", "", "")
    assert set(refused.value.problems) == {"reception", "kind", "subject", "text"}
    assert not Appeal.objects.exists()


def test_the_contact_centre_registers_a_call(receptions) -> None:
    operator = signed_in(make_staff("operator", "operator"))
    body = {"reception": "mayor", "kind": "proposal", "subject": "Нічні трамваї",
            "text": "Пропоную нічні рейси трамваїв у вихідні дні.", "channel": "phone"}
    refused = operator.post("/api/appeals/registrations", {**body, "contact": " "},
                            content_type="application/json")
    assert refused.status_code == 400 and refused.json()["error"] == "invalid"
    made = operator.post("/api/appeals/registrations",
                         {**body, "contact": "Ганна Коваль, вул. Козацька, 2"},
                         content_type="application/json")
    assert made.status_code == 201 and made.json()["channel"] == "phone"
    appeal = Appeal.objects.get(number=made.json()["number"])
    assert appeal.contact == "Ганна Коваль, вул. Козацька, 2" and appeal.author is None


def test_only_the_handling_department_acts(appeal: Appeal) -> None:
    roads = make_staff("roads-clerk-2", "clerk", department="roads")
    with pytest.raises(AppealError):
        services.access_appeal(roads, appeal.number, "appeals.appeal.handle")
    light = make_staff("light-clerk-2", "clerk", department="light")
    assert services.access_appeal(light, appeal.number, "appeals.appeal.handle") == appeal
    assert appeal.status == Status.REGISTERED
