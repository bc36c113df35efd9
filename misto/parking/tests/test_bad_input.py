"""Refused with a clear message, nothing half-written: a bad plate, a lot outside the zone,
an unknown or closed lot, a second session for a plate, a payment the wallet refuses."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from misto.core.models import OutboxEvent
from misto.parking import plates, services
from misto.parking.errors import ParkingError
from misto.parking.models import Lot, Session, SessionStatus, Zone
from misto.parking.tests.conftest import box
from misto.wallet import services as wallet

pytestmark = pytest.mark.django_db


def start(client: Client, **body: Any) -> Any:
    return client.post("/api/parking/sessions", json.dumps(
        {"registration_number": "AA1234BB", "lot": "t-1", **body}),
        content_type="application/json")


@pytest.mark.parametrize("text", ["AA 1234 B", "1234AABB", "АБ1234ВВ", "AA12345BB", "", "Z"])
def test_plates_in_a_bad_format_are_refused(text: str) -> None:
    with pytest.raises(ParkingError) as refused:
        plates.normalise(text)
    assert refused.value.code == "bad_plate" and "АА 1234 ВВ" in refused.value.message


def test_plates_of_either_alphabet_are_one_plate() -> None:
    assert plates.normalise("ка 0001 ах") == plates.normalise("KA-0001-AX") == "KA0001AX"
    assert plates.shown("KA0001AX") == "KA 0001 AX"


def test_refusals_through_the_api_change_nothing(city: Lot, driver: Any) -> None:
    client = Client()
    client.force_login(driver)
    cases = [({"registration_number": "AA-12"}, 400, "bad_plate"),
             ({"zone": "d"}, 400, "lot_outside_zone"),
             ({"lot": "zz-9"}, 404, "not_found"),
             ({"lot": "r-1"}, 403, "permit_needed"),
             ({"lot": "f-1"}, 400, "free_now")]
    for body, status, code in cases:
        answer = start(client, **body)
        assert (answer.status_code, answer.json()["error"]) == (status, code), body
        assert answer.json()["detail"]
    Lot.objects.filter(code="t-1").update(closed=True)
    assert start(client).json()["error"] == "lot_closed"
    Lot.objects.filter(code="t-1").update(closed=False)
    assert not Session.objects.exists() and not OutboxEvent.objects.filter(
        name__startswith="parking.").exists()
    assert start(client).status_code == 201
    second = start(client, registration_number="АА1234ВВ")
    assert (second.status_code, second.json()["error"]) == (409, "already_parked")
    assert Session.objects.count() == 1
    assert start(Client()).status_code == 401


def test_a_lot_outside_its_zone_is_refused(city: Lot) -> None:
    with pytest.raises(ParkingError) as refused:
        services.do_create_lot("t-9", "Далеко", Zone.objects.get(code="t"),
                               box((35.17, 47.82), 0.0003))
    assert refused.value.code == "lot_outside_zone"
    assert not Lot.objects.filter(code="t-9").exists()


def test_no_money_is_refused_clearly_and_the_session_keeps_running(city: Lot,
                                                                   broke: Any) -> None:
    session = services.do_start(services.check_start(
        broke, "AA1234BB", city, now=timezone.now() - timedelta(minutes=15)))
    client = Client()
    client.force_login(broke)
    answer = client.post(f"/api/parking/sessions/{session.public_id}/stop")
    assert answer.status_code == 409 and answer.json()["error"] == "payment_refused"
    assert answer.json()["detail"]
    session.refresh_from_db()
    assert session.running and session.status == SessionStatus.RUNNING
    assert not OutboxEvent.objects.filter(name="parking.SessionStopped").exists()
    assert wallet.balance(wallet.access_account(broke)) == 0
    page = client.post(f"/parking/sessions/{session.public_id}/stop/", follow=True)
    assert page.status_code == 200 and answer.json()["detail"] in page.content.decode()
    session.refresh_from_db()
    assert session.running


def test_a_stop_nobody_waits_for_leaves_it_unpaid_to_pay_later(city: Lot, broke: Any) -> None:
    started = timezone.now() - timedelta(hours=3)
    session = services.do_start(services.check_start(broke, "AA1234BB", city, now=started))
    services.expire_due()
    session.refresh_from_db()
    assert (session.status, session.amount, session.receipt) == (SessionStatus.UNPAID, 2400, "")
    account = wallet.access_account(broke)
    wallet.demo_pay(wallet.do_start_topup(account, 3000))
    paid = services.do_pay(session)
    assert paid.status == SessionStatus.PAID and wallet.balance(account) == 600
    with pytest.raises(ParkingError):
        services.do_pay(paid)


def test_someone_elses_session_is_the_same_404(city: Lot, driver: Any, broke: Any) -> None:
    session = services.do_start(services.check_start(driver, "AA1234BB", city))
    client = Client()
    client.force_login(broke)
    answer = client.post(f"/api/parking/sessions/{session.public_id}/stop")
    missing = client.post("/api/parking/sessions/00000000-0000-4000-8000-000000000000/stop")
    assert answer.status_code == missing.status_code == 404
    assert answer.json() == missing.json()
    assert client.get(f"/parking/sessions/{session.public_id}/").status_code == 404
