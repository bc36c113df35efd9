"""From the threshold to the answer: the responsible department hears of it and has its queue;
the public count stays live; the moderators' burst chart; the calendar's changes through the
bus; the API's refusals; the indicators the index reads."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from misto.core import outbox, workdays
from misto.core.models import OutboxEvent
from misto.ledger.models import LedgerEntry
from misto.notifications.models import Message
from misto.petitions import indicators, services
from misto.petitions.models import Petition, Signature, Status
from misto.residents import levels
from misto.testing import make_staff
from misto.testing.world import make_resident

from .conftest import signed_in

pytestmark = pytest.mark.django_db


def _deliver() -> None:
    while outbox.deliver_due(limit=500):
        pass


def _reach(petition: Petition, residents: Any) -> list[Any]:
    signers = residents(petition.threshold or 0)
    for user in signers:
        services.sign(user, levels.VERIFIED, petition)
    petition.refresh_from_db()
    assert petition.status == Status.CONSIDERATION
    return signers


def test_the_threshold_tells_the_author_and_the_answering_department(
        open_petition, residents, council_clerk, author) -> None:
    roads = make_staff("roads-clerk", "clerk", department="roads")
    _reach(open_petition, residents)
    event = OutboxEvent.objects.get(name="petitions.PetitionThresholdReached")
    assert event.payload["answerer_user_ids"] == [council_clerk.pk]
    assert event.payload["queue_url"] == "/petitions/answering/"
    _deliver()
    staff = Message.objects.get(user=council_clerk).data or {}
    assert staff["url"] == "/petitions/answering/"
    assert f"Петиція № {open_petition.number} зібрала 3 підписів: відповідь вашого " \
           f"підрозділу — до {open_petition.answer_due:%d.%m.%Y}" == staff["title_uk"]
    assert "your department's answer is due" in staff["title_en"]
    assert not Message.objects.filter(user=roads).exists()
    assert any("reached 3" in (m.data or {}).get("title_en", "")
               for m in Message.objects.filter(user=author))


def test_the_answering_queue_shows_the_clock_and_late_in_red(
        open_petition, residents, council_clerk) -> None:
    _reach(open_petition, residents)
    office = signed_in(council_clerk)
    page = office.get("/petitions/answering/").content.decode()
    assert open_petition.number in page and 'class="answer-item late"' not in page
    assert f"/petitions/{open_petition.number}/answer/" in page
    left = workdays.working_days_between(timezone.localdate(), open_petition.answer_due)
    assert f"{left} working days left" in office.get(
        "/petitions/answering/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # Late: the clock ran out; the row turns red and says so.
    services.mark_overdue(open_petition.answer_due + timedelta(days=1))
    Petition.objects.filter(pk=open_petition.pk).update(
        answer_due=timezone.localdate() - timedelta(days=1))
    page = office.get("/petitions/answering/").content.decode()
    assert 'class="answer-item late"' in page
    assert [p["number"] for p in office.get("/api/petitions/answering").json()] == \
        [open_petition.number]
    roads = signed_in(make_staff("roads-clerk", "clerk", department="roads"))
    assert open_petition.number not in roads.get("/petitions/answering/").content.decode()
    assert roads.get("/api/petitions/answering").json() == []
    resident = signed_in(make_resident("curious"))
    assert resident.get("/petitions/answering/").status_code == 403
    assert resident.get("/api/petitions/answering").status_code == 403


def test_the_count_is_a_polled_fragment_while_collecting(open_petition, residents,
                                                         client: Client) -> None:
    number = open_petition.number
    page = client.get(f"/petitions/{number}/").content.decode()
    assert f'hx-get="/petitions/{number}/count/"' in page and 'hx-trigger="every 15s"' in page
    fragment = client.get(f"/petitions/{number}/count/")
    assert fragment.status_code == 200
    body = fragment.content.decode()
    assert "<html" not in body and 'id="petition-count"' in body and 'aria-valuenow="0"' in body
    (user,) = residents(1)
    services.sign(user, levels.VERIFIED, open_petition)
    assert 'aria-valuenow="1"' in client.get(f"/petitions/{number}/count/").content.decode()
    # Collection over: the fragment comes back without a trigger, so the page stops polling.
    Petition.objects.filter(pk=open_petition.pk).update(
        collection_ends=timezone.localdate() - timedelta(days=1))
    ended = client.get(f"/petitions/{number}/count/").content.decode()
    assert "hx-trigger" not in ended and 'aria-valuenow="1"' in ended
    assert client.get("/petitions/2026-999999/count/").status_code == 404


def test_the_burst_chart_counts_every_hour(open_petition, residents, moderator) -> None:
    now = timezone.now().replace(minute=30, second=0, microsecond=0)
    hour = now.replace(minute=0)
    signers = residents(7)
    for user in signers:
        services.sign(user, levels.VERIFIED, open_petition)
    # One signature five hours ago, a burst of five two hours ago, one in this hour.
    times = [now - timedelta(hours=5)] + [now - timedelta(hours=2, minutes=m)
                                          for m in range(5)] + [now]
    for signature, at in zip(Signature.objects.filter(petition=open_petition).order_by("pk"),
                             times, strict=True):
        Signature.objects.filter(pk=signature.pk).update(signed_at=at)
    Signature.objects.filter(petition=open_petition, signed_at__lt=now - timedelta(hours=60))\
        .delete()
    hours = services.signing_activity(open_petition, hours=6, now=now)
    assert [start for start, _n in hours] == [hour - timedelta(hours=h) for h in range(5, -1, -1)]
    assert [n for _start, n in hours] == [1, 0, 0, 5, 0, 1]
    page = signed_in(moderator).get(f"/petitions/{open_petition.number}/activity/")
    body = page.content.decode()
    bars = body.count('class="hour')
    assert page.status_code == 200 and bars == 72  # three days, empty hours included
    assert body.count('data-n="0"') == 72 - 3
    assert 'data-n="5" style="height: 100%"' in body  # the burst is the tallest bar
    assert 'data-n="1" style="height: 20%"' in body
    api = signed_in(moderator).get(f"/api/petitions/{open_petition.number}/activity").json()
    assert len(api) == 72 and sum(row["signatures"] for row in api) == 7
    assert max(row["signatures"] for row in api) == 5


def _state(petition: Petition) -> tuple[int, int, int]:
    petition.refresh_from_db()
    return (petition.signature_count, Signature.objects.filter(petition=petition).count(),
            LedgerEntry.objects.count())


def test_the_api_refuses_with_a_reason_and_changes_nothing(open_petition, residents, author,
                                                           moderator) -> None:
    url = f"/api/petitions/{open_petition.number}/signature"
    before = _state(open_petition)
    unverified = signed_in(make_resident("self-registered", verified=False))
    refused = unverified.post(url, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 403 and refused.json()["error"] == "not_eligible"
    assert "register entry is not verified" in refused.json()["detail"]
    assert _state(open_petition) == before

    Petition.objects.filter(pk=open_petition.pk).update(
        collection_ends=timezone.localdate() - timedelta(days=1))
    (user,) = residents(1)
    late = signed_in(user).post(url, HTTP_ACCEPT_LANGUAGE="en")
    assert late.status_code == 409 and late.json()["error"] == "not_collecting"
    assert late.json()["detail"] == "This petition is not collecting signatures."
    assert _state(open_petition) == before

    rejected = services.reject(moderator, services.submit(services.do_create_draft(
        author, services.check_draft("Інша петиція для відхилення", "x" * 60, "other"))),
        "R1", "Не стосується громади")
    # A rejected petition never gets a number: it cannot be addressed, let alone signed.
    assert rejected.number is None
    for client in (signed_in(user), signed_in(author)):
        response = client.post(f"/api/petitions/{rejected.pk:04d}-0001/signature",
                               HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 404
        assert response.json()["detail"] == "There is no such petition."
    page = signed_in(user).post(f"/petitions/{open_petition.number}/sign/", follow=True,
                               HTTP_ACCEPT_LANGUAGE="en")
    assert "This petition is not collecting signatures." in page.content.decode()
    assert not Signature.objects.filter(petition=rejected).exists()
    assert _state(open_petition) == before


def test_a_day_off_added_later_moves_the_clock_through_the_bus(open_petition,
                                                               residents) -> None:
    _reach(open_petition, residents)
    due = open_petition.answer_due
    _deliver()
    inside = next(d for d in (timezone.localdate() + timedelta(days=n) for n in range(1, 10))
                  if workdays.is_working_day(d))
    workdays.set_city_day(inside, working=False, reason="День жалоби")
    open_petition.refresh_from_db()
    assert open_petition.answer_due == due  # not yet: the handler runs from the outbox
    _deliver()
    open_petition.refresh_from_db()
    deadline = workdays.working_deadline(open_petition.threshold_reached_on, 10)
    assert open_petition.answer_due == deadline.due > due
    assert "День жалоби" in deadline.explanation()


def test_the_indicators_on_a_small_world(open_petition, residents, council_clerk) -> None:
    start = datetime.combine(timezone.localdate(), datetime.min.time(),
                             tzinfo=timezone.get_current_timezone())
    end = start + timedelta(days=1)
    signers = _reach(open_petition, residents)
    services.withdraw(signers[0], open_petition)
    assert indicators.opened(start, end, None).value == 1
    assert indicators.signatures(start, end, None).value == 2  # one withdrawn
    assert indicators.successful(start, end, None).value == 1
    assert indicators.answered_on_time_share(start, end, None).value is None
    open_petition.refresh_from_db()
    services.answer(council_clerk, open_petition, "Світлофор встановлять до березня.")
    share = indicators.answered_on_time_share(start, end, None)
    assert (share.value, share.inputs) == (100.0, 1)
    before = start - timedelta(days=1)
    assert indicators.opened(before, start, None).value == 0
