"""Moderation, the answer clock on the city's calendar, the answer reaching every signer,
closing and overdue marks, and the recount command."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from misto.core import workdays
from misto.core.models import OutboxEvent
from misto.petitions import services
from misto.petitions.errors import DraftProblems, PetitionError, PetitionsCode
from misto.petitions.models import Petition, Status
from misto.residents import levels

from .conftest import TEXT, signed_in

pytestmark = pytest.mark.django_db


def _events(name: str) -> list[dict[str, Any]]:
    return [e.payload for e in OutboxEvent.objects.filter(name=name).order_by("pk")]


def test_a_draft_reports_every_problem_at_once(city) -> None:
    with pytest.raises(DraftProblems) as refused:
        services.check_draft("Коротко", "мало", "nonsense", "Вулиця, якої нема 999")
    assert set(refused.value.problems) == {"title", "text", "topic", "place"}


def test_a_place_gives_the_district(city, rules, author) -> None:
    draft = services.check_draft("Світлофор біля школи № 5", TEXT, "transport", "Шевченка")
    assert draft.district == city.west and draft.place is not None


def test_moderation_opens_with_the_rules_in_force_or_rejects_citing_one(
        city, rules, author, moderator) -> None:
    petition = services.submit(services.do_create_draft(
        author, services.check_draft("Світлофор біля школи № 5", TEXT, "transport")))
    with pytest.raises(PetitionError) as refused:
        services.reject(moderator, petition, "R9")
    assert refused.value.code == PetitionsCode.UNKNOWN_RULE
    rules.threshold = 500
    rules.save()
    opened = services.open_petition(moderator, petition)
    assert opened.status == Status.COLLECTING and opened.threshold == 500
    assert opened.number == f"{timezone.localdate().year}-0001"
    assert opened.collection_ends == timezone.localdate() + timedelta(days=30)
    rules.threshold = 5
    rules.save()
    opened.refresh_from_db()
    assert opened.threshold == 500  # a later change of the regulation moves no running goal
    with pytest.raises(PetitionError) as refused:
        services.open_petition(moderator, opened)
    assert refused.value.code == PetitionsCode.WRONG_STATUS
    assert _events("petitions.PetitionOpened")[0]["number"] == opened.number


def test_a_hidden_petition_answers_like_a_missing_one(city, rules, author, moderator,
                                                      client) -> None:
    petition = services.submit(services.do_create_draft(
        author, services.check_draft("Світлофор біля школи № 5", TEXT, "transport")))
    services.reject(moderator, petition, "R1", "Це питання обласної ради.")
    stranger = signed_in(moderator)  # a moderator, but no author of this petition
    hidden, missing = (stranger.post(f"/api/petitions/drafts/{pk}/submit")
                       for pk in (petition.pk, 999999))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    public = client.get(f"/api/petitions/moderation/{petition.pk}/open")
    assert public.status_code == 405
    mine = signed_in(author).get("/api/petitions/mine").json()
    assert mine[0]["status"] == "rejected"
    other = signed_in(moderator)
    response = other.get("/api/petitions/mine")
    assert response.status_code == 200 and response.json() == []


def test_the_answer_clock_moves_with_the_calendar_and_goes_red_when_late(
        open_petition, residents, council_clerk) -> None:
    for user in residents(3):
        services.sign(user, levels.VERIFIED, open_petition)
    open_petition.refresh_from_db()
    due = open_petition.answer_due
    assert due == workdays.working_deadline(timezone.localdate(), 10).due
    # A day off the city adds later (inside the span) moves the running clock.
    inside = next(d for d in (timezone.localdate() + timedelta(days=n) for n in range(1, 10))
                  if workdays.is_working_day(d))
    workdays.set_city_day(inside, working=False, reason="День жалоби")
    services.recompute_deadlines()  # what the core.CalendarChanged handler runs
    open_petition.refresh_from_db()
    assert open_petition.answer_due > due
    assert services.mark_overdue(open_petition.answer_due) == 0
    assert services.mark_overdue(open_petition.answer_due + timedelta(days=1)) == 1
    assert services.mark_overdue(open_petition.answer_due + timedelta(days=2)) == 0  # once
    assert [e["number"] for e in _events("petitions.PetitionOverdue")] == [open_petition.number]


def test_the_answer_reaches_every_signer(open_petition, residents, council_clerk) -> None:
    signers = residents(4)
    for user in signers:
        services.sign(user, levels.VERIFIED, open_petition)
    services.withdraw(signers[3], open_petition)  # withdrew after the threshold
    open_petition.refresh_from_db()
    with pytest.raises(PetitionError):
        services.answer(council_clerk, open_petition, "коротко")
    services.answer(council_clerk, open_petition,
                    "Світлофор встановлять до 1 березня; кошти передбачено в бюджеті.")
    open_petition.refresh_from_db()
    assert open_petition.status == Status.ANSWERED
    (event,) = _events("petitions.PetitionAnswered")
    assert sorted(event["signer_user_ids"]) == sorted(u.pk for u in signers[:3])
    assert event["on_time"] is True and event["author_user_id"] == open_petition.author_id


def test_collection_that_ends_short_is_unsuccessful(open_petition, residents) -> None:
    services.sign(residents(1)[0], levels.VERIFIED, open_petition)
    assert services.close_expired(open_petition.collection_ends) == 0
    assert services.close_expired(open_petition.collection_ends + timedelta(days=1)) == 1
    open_petition.refresh_from_db()
    assert open_petition.status == Status.UNSUCCESSFUL
    assert _events("petitions.PetitionClosed")[0]["count"] == 1


def test_the_recount_command(open_petition, residents) -> None:
    for user in residents(2):
        services.sign(user, levels.VERIFIED, open_petition)
    out = StringIO()
    call_command("petitions", "recount", open_petition.number, stdout=out)
    assert "shown 2, signatures 2, ledger 2 (2 entries) - agrees" in out.getvalue()
    Petition.objects.filter(pk=open_petition.pk).update(signature_count=7)
    with pytest.raises(CommandError, match="1 petition"):
        call_command("petitions", "recount", stdout=StringIO())
    with pytest.raises(CommandError, match="no public petition"):
        call_command("petitions", "recount", "2026-9999", stdout=StringIO())


def test_the_answer_over_the_api_keeps_its_pdf_and_refuses_another_format(
        open_petition, residents, council_clerk) -> None:
    for user in residents(3):
        services.sign(user, levels.VERIFIED, open_petition)
    clerk = signed_in(council_clerk)
    url = f"/api/petitions/{open_petition.number}/answer"
    text = "Світлофор встановлять до 1 березня; кошти передбачено в бюджеті."
    not_a_pdf = SimpleUploadedFile("answer.pdf", b"GIF89a...", content_type="application/pdf")
    refused = clerk.post(url, {"text": text, "document": not_a_pdf})
    assert refused.status_code == 400, refused.content
    assert refused.json()["error"] == "invalid" and "PDF" in refused.json()["detail"]
    pdf = SimpleUploadedFile("answer.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    assert clerk.post(url, {"text": text, "document": pdf}).status_code == 200
    open_petition.refresh_from_db()
    assert open_petition.status == Status.ANSWERED
    assert open_petition.answer_document.read().startswith(b"%PDF-1.4")
