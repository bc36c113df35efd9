"""Waybills filled and approved (four eyes), the PDF, the OsmAnd endpoint, and refusals."""

from __future__ import annotations

import pytest
from django.test import Client

from misto.fleet.models import Position, Waybill
from misto.fleet.services import tracking
from misto.fleet.tests.conftest import at, drive, parked
from misto.testing import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def day_driven(car):
    vehicle, key = car
    tracking.apply({vehicle: parked(at(7), 35.12, 10, 40.0)
                    + drive(at(7.2), 35.12, 35.15, 12, fuel=(40.0, 39.0))
                    + parked(at(8), 35.15, 30, 39.0, change_at=10, change=20.0)})
    return vehicle, key


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_fill_approve_and_pdf(day_driven):
    vehicle, _key = day_driven
    driver = make_staff("driver", "operator")
    dispatcher = make_staff("disp", "dispatcher")
    answer = client_for(driver).post("/api/fleet/waybills", {
        "vehicle_id": vehicle.pk, "day": str(at(0).date()), "driver_id": driver.pk},
        content_type="application/json")
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["status"] == "filled" and body["trips"] == 1
    assert body["odometer_start_km"] == 12_000
    assert body["distance_km"] == pytest.approx(2.2, abs=0.1)
    assert body["fuel_issued_l"] == pytest.approx(20, abs=1)
    assert body["fuel_norm_l"] == pytest.approx(0.2, abs=0.05)
    # the driver cannot approve (no permission), a dispatcher driving cannot approve their own
    refused = client_for(driver).post(f"/api/fleet/waybills/{body['id']}/approve")
    assert refused.status_code == 403
    own = client_for(dispatcher).post("/api/fleet/waybills", {
        "vehicle_id": vehicle.pk, "day": str(at(0).date()), "driver_id": dispatcher.pk},
        content_type="application/json").json()
    self_approval = client_for(dispatcher).post(f"/api/fleet/waybills/{own['id']}/approve")
    assert self_approval.status_code == 403
    assert self_approval.json()["error"] == "self_approval"
    client_for(driver).post("/api/fleet/waybills", {
        "vehicle_id": vehicle.pk, "day": str(at(0).date()), "driver_id": driver.pk},
        content_type="application/json")
    approved = client_for(dispatcher).post(f"/api/fleet/waybills/{own['id']}/approve")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    again = client_for(dispatcher).post(f"/api/fleet/waybills/{own['id']}/approve")
    assert again.status_code == 409
    refill = client_for(driver).post("/api/fleet/waybills", {
        "vehicle_id": vehicle.pk, "day": str(at(0).date()), "driver_id": driver.pk},
        content_type="application/json")
    assert refill.status_code == 409
    pdf = client_for(dispatcher).get(f"/fleet/waybills/{own['id']}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    listed = client_for(dispatcher).get(f"/api/fleet/waybills?vehicle_id={vehicle.pk}")
    assert [w["number"] for w in listed.json()] == [Waybill.objects.get().number]


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"vehicle_id": 999999, "driver_id": 1}, 404, "not_found"),
    ({"driver_id": 999999}, 400, "invalid"),
    ({"day": "2099-01-01"}, 400, "invalid"),
    ({"day": "2026-11-01"}, 400, "invalid"),  # no trips that day
])
def test_bad_waybills_are_refused_with_reasons(day_driven, body, status, code):
    vehicle, _key = day_driven
    dispatcher = make_staff("disp", "dispatcher")
    answer = client_for(dispatcher).post("/api/fleet/waybills", {
        "vehicle_id": vehicle.pk, "day": str(at(0).date()), "driver_id": dispatcher.pk,
        **body}, content_type="application/json")
    assert answer.status_code == status
    assert answer.json()["error"] == code and answer.json()["detail"]
    assert not Waybill.objects.exists()


def test_vehicle_day_and_list(day_driven):
    vehicle, _key = day_driven
    dispatcher = make_staff("disp", "dispatcher")
    day = client_for(dispatcher).get(f"/api/fleet/vehicles/{vehicle.pk}/day?day={at(0).date()}")
    assert day.status_code == 200
    assert [e["kind"] for e in day.json()["fuel_events"]] == ["refuel"]
    listed = client_for(dispatcher).get("/api/fleet/vehicles").json()
    assert listed[0]["plate"] == "AP0001KM" and listed[0]["has_gps"]
    assert Client().get("/api/fleet/vehicles").status_code == 401
    assert client_for(make_staff("clerk", "clerk")).get("/api/fleet/vehicles").status_code == 403


def test_register_refuses_bad_input(city):
    admin = make_staff("it", "it_admin")
    ok = client_for(admin).post("/api/fleet/vehicles", {
        "plate": "AP 1234 KM", "tank_l": 50, "norm_l_per_100km": 8},
        content_type="application/json")
    assert ok.status_code == 201 and ok.json()["key"]
    bad = client_for(admin).post("/api/fleet/vehicles", {
        "plate": "AP-12/34", "tank_l": 50, "norm_l_per_100km": 8},
        content_type="application/json")
    assert bad.status_code == 400 and bad.json()["error"] == "invalid"


def test_osmand(car):
    _vehicle, key = car
    from django.utils import timezone

    now = int(timezone.now().timestamp())
    client = Client()
    ok = client.get("/fleet/osmand", {"id": "trk-t1", "key": key, "lat": 47.82, "lon": 35.13,
                                      "timestamp": now, "speed": 20, "ignition": "true",
                                      "fuel": 40})
    assert ok.status_code == 200 and ok.content == b"OK"
    assert Position.objects.get().speed_kmh == pytest.approx(37.0, abs=0.1)
    wrong = client.get("/fleet/osmand", {"id": "trk-t1", "key": "nope", "lat": 47.82,
                                         "lon": 35.13})
    assert wrong.status_code == 401
    unknown = client.get("/fleet/osmand", {"id": "trk-x", "key": key, "lat": 1, "lon": 1})
    assert unknown.status_code == 401
    garbled = client.get("/fleet/osmand", {"id": "trk-t1", "key": key, "lat": "north",
                                           "lon": 35.13})
    assert garbled.status_code == 400
    outside = client.get("/fleet/osmand", {"id": "AP0001KM", "key": key, "lat": 50.45,
                                           "lon": 30.52, "timestamp": now + 5})
    assert outside.content == b"refused: outside_city"
    assert Position.objects.count() == 1
