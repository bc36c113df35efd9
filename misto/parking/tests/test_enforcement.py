"""The inspectors' check (Parkkihubi's check_parking): allowed, not allowed, permit, expired."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from misto.parking import services
from misto.parking.models import Lot, Permit, PermitKind, Zone
from misto.parking.tests.conftest import DAY_POINT, EAST_POINT, kyiv
from misto.testing import make_staff
from misto.testing.world import ON_LESI, ON_SHEVCHENKA

pytestmark = pytest.mark.django_db


@pytest.fixture
def inspector(city: Lot) -> Client:
    client = Client()
    client.force_login(make_staff("inspector", "operator"))
    return client


def check(client: Client, plate: str, point: tuple[float, float], at: Any = None) -> Any:
    body: dict[str, Any] = {"registration_number": plate,
                            "location": {"type": "Point", "coordinates": list(point)}}
    if at is not None:
        body["time"] = at.isoformat()
    return client.post("/api/parking/check", json.dumps(body), content_type="application/json")


def test_a_paid_session_allows_until_its_end_then_expires(inspector: Client, city: Lot,
                                                          driver: Any) -> None:
    now = timezone.now().replace(microsecond=0)
    answer = check(inspector, "AA1234BB", ON_SHEVCHENKA).json()
    assert (answer["allowed"], answer["zone"], answer["reason"]) == (False, "t", "no_session")

    session = services.do_start(services.check_start(driver, "AA1234BB", city,
                                                     now=now - timedelta(minutes=10)))
    answer = check(inspector, "аа1234вв", ON_SHEVCHENKA).json()
    assert answer["allowed"] is True and answer["reason"] == "session"
    assert answer["end_time"].startswith(session.ends_at.isoformat()[:16])

    services.stop_by_driver(session, now)
    later = check(inspector, "AA1234BB", ON_SHEVCHENKA, now + timedelta(minutes=5)).json()
    assert (later["allowed"], later["reason"]) == (False, "expired")
    gone = check(inspector, "AA1234BB", ON_SHEVCHENKA, now + timedelta(minutes=30)).json()
    assert gone["reason"] == "no_session"
    # At a time the session covered, the same plate was allowed.
    before = check(inspector, "AA1234BB", ON_SHEVCHENKA, now - timedelta(minutes=5)).json()
    assert before["allowed"] is True


def test_permits_free_zones_and_free_hours(inspector: Client, city: Lot, driver: Any) -> None:
    residents = check(inspector, "AX5555EE", ON_LESI).json()
    assert (residents["allowed"], residents["zone"], residents["reason"]) == (
        False, "r", "no_permit")
    permit = services.do_permit(services.check_permit(driver, "AX5555EE",
                                                      Zone.objects.get(code="r")))
    allowed = check(inspector, "AX5555EE", ON_LESI).json()
    assert (allowed["allowed"], allowed["reason"]) == (True, "permit")
    expired = check(inspector, "AX5555EE", ON_LESI, permit.valid_until + timedelta(days=1))
    assert expired.json()["allowed"] is False
    assert check(inspector, "AX5555EE", EAST_POINT).json()["reason"] == "free_zone"
    saturday = check(inspector, "AX5555EE", DAY_POINT, kyiv(2026, 12, 5, 12)).json()
    assert (saturday["allowed"], saturday["reason"]) == (True, "free_hours")
    weekday = check(inspector, "AX5555EE", DAY_POINT, kyiv(2026, 12, 4, 12)).json()
    assert (weekday["allowed"], weekday["zone"]) == (False, "d")
    nowhere = check(inspector, "AX5555EE", (35.19, 47.845)).json()
    assert (nowhere["allowed"], nowhere["zone"], nowhere["reason"]) == (True, None, "no_zone")
    Permit.objects.create(user=driver, plate="BC0007KA", zone=Zone.objects.get(code="r"),
                          kind=PermitKind.DISABLED, valid_from=timezone.now(),
                          valid_until=timezone.now() + timedelta(days=1))
    assert check(inspector, "BC0007KA", ON_SHEVCHENKA).json()["reason"] == "permit"


def test_only_inspectors_check_and_bad_plates_are_refused(inspector: Client, city: Lot,
                                                         driver: Any) -> None:
    assert check(Client(), "AA1234BB", ON_SHEVCHENKA).status_code == 401
    resident = Client()
    resident.force_login(driver)
    assert check(resident, "AA1234BB", ON_SHEVCHENKA).status_code == 403
    bad = check(inspector, "12345", ON_SHEVCHENKA)
    assert bad.status_code == 400 and bad.json()["error"] == "bad_plate"
    swapped = check(inspector, "AA1234BB", (47.82, 135.13))
    assert swapped.status_code in (400, 422)
