"""The residents' booking and permit pages, the inspector's phone page and the staff page
of the zones' inspectors (plain requests; the browser flow is test_parking_browser.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from misto.core.models import StaffAssignment
from misto.parking import services
from misto.parking.models import Booking, Lot, Permit
from misto.parking.tests.conftest import EAST_POINT
from misto.testing import make_staff
from misto.testing.world import EAST_DISTRICT, ON_SHEVCHENKA, WEST_DISTRICT

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _slot(hours_ahead: int = 3) -> dict[str, str]:
    start = timezone.localtime() + timedelta(hours=hours_ahead)
    return {"day": start.date().isoformat(), "start": f"{start.hour:02d}:00",
            "minutes": "90"}


def test_book_see_the_price_confirm_and_cancel(city: Lot, driver: Any) -> None:
    client = signed_in(driver)
    page = client.get("/parking/book/")
    assert page.status_code == 200 and "t-1" in page.content.decode()
    assert "d-1" not in page.content.decode()  # not bookable
    form = {"lot": "t-1", "plate": "аа 1234 вв", **_slot()}
    quote = client.post("/parking/book/", {**form, "action": "quote"})
    text = quote.content.decode()
    assert quote.status_code == 200 and "18,00" in text.replace(".", ",")  # 1.5 h x 12 UAH
    assert "AA 1234 BB" in text and not Booking.objects.exists()
    fragment = client.post("/parking/book/", {**form, "action": "quote"}, HTTP_HX_REQUEST="1")
    assert "<html" not in fragment.content.decode() and "18" in fragment.content.decode()
    done = client.post("/parking/book/", {**form, "action": "confirm"})
    assert done.status_code == 303 and done["Location"] == "/parking/bookings/"
    booking = Booking.objects.get()
    assert booking.amount == 1800 and booking.plate == "AA1234BB"
    mine = client.get("/parking/bookings/").content.decode()
    assert "t-1" in mine and f"/parking/bookings/{booking.public_id}/cancel/" in mine
    assert client.post(f"/parking/bookings/{booking.public_id}/cancel/").status_code == 303
    booking.refresh_from_db()
    assert booking.cancelled_at is not None


def test_booking_refusals_are_messages_not_errors(city: Lot, driver: Any, broke: Any) -> None:
    client = signed_in(driver)
    for form in [{"lot": "t-1", "plate": "nonsense", **_slot()},
                 {"lot": "d-1", "plate": "AA1234BB", **_slot()},
                 {"lot": "t-1", "plate": "AA1234BB", "day": "2026-13-45", "start": "xx",
                  "minutes": "a lot"},
                 {"lot": "nowhere", "plate": "AA1234BB", **_slot()}]:
        answer = client.post("/parking/book/", {**form, "action": "confirm"})
        assert answer.status_code == 200, form
        assert 'class="message message-error"' in answer.content.decode(), form
    poor = signed_in(broke).post("/parking/book/", {"lot": "t-1", "plate": "AA1234BB",
                                                    **_slot(), "action": "confirm"})
    assert poor.status_code == 200 and not Booking.objects.exists()
    assert Client().get("/parking/book/").status_code == 302  # sign in first


def test_ask_for_a_permit_and_see_it(city: Lot, driver: Any) -> None:
    client = signed_in(driver)
    assert "r · " in client.get("/parking/permits/").content.decode()
    answer = client.post("/parking/permits/", {"plate": "AA1234BB", "zone": "r"})
    assert answer.status_code == 303
    assert Permit.objects.filter(plate="AA1234BB", zone__code="r").count() == 1
    assert "AA 1234 BB" in client.get("/parking/permits/").content.decode()
    again = client.post("/parking/permits/", {"plate": "AA1234BB", "zone": "r"})
    assert again.status_code == 200 and "message-error" in again.content.decode()
    wrong = client.post("/parking/permits/", {"plate": "AA1234BB", "zone": "nope"})
    assert wrong.status_code == 200 and Permit.objects.count() == 1


def test_the_inspectors_phone_page(city: Lot, driver: Any) -> None:
    inspector = signed_in(make_staff("street", "operator"))
    assert inspector.get("/parking/inspect/").status_code == 200
    lon, lat = ON_SHEVCHENKA
    answer = inspector.post("/parking/inspect/", {"plate": "AA1234BB", "lon": lon, "lat": lat})
    text = answer.content.decode()
    assert answer.status_code == 200 and 'data-testid="verdict"' in text and "t · " in text
    services.do_start(services.check_start(driver, "AA1234BB", city))
    fragment = inspector.post("/parking/inspect/", {"plate": "AA 1234 BB", "lot": "t-1"},
                              HTTP_HX_REQUEST="1").content.decode()
    assert "verdict-allowed" in fragment and "<html" not in fragment
    for bad in [{"plate": "AA1234BB"}, {"plate": "AA1234BB", "lon": "x", "lat": "y"},
                {"plate": "bad", "lot": "t-1"}, {"plate": "AA1234BB", "lot": "nowhere"},
                {"plate": "AA1234BB", "lon": "200", "lat": "95"}]:
        refused = inspector.post("/parking/inspect/", bad)
        assert refused.status_code == 200 and "message-error" in refused.content.decode(), bad
    assert signed_in(driver).get("/parking/inspect/").status_code == 403


def test_a_districts_inspector_checks_only_its_zones(city: Lot) -> None:
    west = make_staff("west-inspector", "operator", department="parking",
                      district=WEST_DISTRICT)
    client = signed_in(west)

    def body(point: tuple[float, float]) -> dict[str, Any]:
        return {"registration_number": "AA1234BB",
                "location": {"type": "Point", "coordinates": list(point)}}

    # zone t lies in the west district, zone f in the east
    assert client.post("/api/parking/check", body(ON_SHEVCHENKA),
                       content_type="application/json").status_code == 200
    refused = client.post("/api/parking/check", body(EAST_POINT),
                          content_type="application/json")
    assert refused.status_code == 403 and refused.json()["error"] == "not_your_zone"
    roads = signed_in(make_staff("roads-operator", "operator", department="roads"))
    assert roads.post("/api/parking/check", body(ON_SHEVCHENKA),
                      content_type="application/json")\
        .status_code == 403


def test_it_appoints_and_removes_inspectors(city: Lot) -> None:
    admin = signed_in(make_staff("it", "it_admin"))
    target = make_staff("new-inspector", "clerk")
    page = admin.get("/parking/staff/inspectors/").content.decode()
    assert WEST_DISTRICT in page
    assert admin.post("/parking/staff/inspectors/", {"username": "new-inspector",
                                                     "district": EAST_DISTRICT})\
        .status_code == 303
    row = StaffAssignment.objects.get(user=target, role="operator")
    assert (row.department, row.district) == ("parking", EAST_DISTRICT)
    assert "new-inspector" in admin.get("/parking/staff/inspectors/").content.decode()
    for bad in [{"username": "nobody", "district": ""},
                {"username": "new-inspector", "district": EAST_DISTRICT},  # again
                {"username": "new-inspector", "district": "UA-nowhere"}]:
        admin.post("/parking/staff/inspectors/", bad)
    assert StaffAssignment.objects.filter(user=target, role="operator").count() == 1
    assert admin.post(f"/parking/staff/inspectors/{row.pk}/remove/").status_code == 303
    assert not StaffAssignment.objects.filter(pk=row.pk).exists()
    assert admin.post("/parking/staff/inspectors/999999/remove/").status_code == 303
    assert signed_in(target).get("/parking/staff/inspectors/").status_code == 403
