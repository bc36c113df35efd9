"""The issue's parking test: a session starts, the lot's sensor reports the place free (through
the iot module's storing path), the session stops and is charged for the minutes used."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from misto.core.models import OutboxEvent
from misto.iot.storage import store_readings
from misto.parking import services
from misto.parking.models import Lot, OccupancyHour, Place, Session, SessionStatus, StopReason
from misto.wallet import services as wallet

pytestmark = pytest.mark.django_db


def _reading(device: Any, occupied: float, at: Any) -> tuple[int, str, Any, float]:
    return (device.pk, "occupancy", at, occupied)


def test_the_car_leaving_its_place_stops_and_charges_the_session(
        city: Lot, sensors: dict[str, Any], driver: Any) -> None:
    now = timezone.now().replace(microsecond=0)
    parked = now - timedelta(minutes=2)
    store_readings([_reading(sensors["park-t1"], 1.0, parked)])  # the car parks on place 1
    assert Place.objects.get(sensor="park-t1").occupied is True
    client = Client()
    client.force_login(driver)
    answer = client.post("/api/parking/sessions", json.dumps(
        {"registration_number": "аа 1234-вв", "lot": "t-1", "zone": "T"}),
        content_type="application/json")
    assert answer.status_code == 201, answer.content
    started = answer.json()
    assert started["registration_number"] == "AA1234BB" and started["place"] == "1"
    session = Session.objects.get(public_id=started["id"])
    balance = wallet.balance(wallet.access_account(driver))

    left = session.started_at + timedelta(minutes=37, seconds=10)  # 38 started minutes
    store_readings([_reading(sensors["park-t1"], 0.0, left)])
    session.refresh_from_db()
    assert (session.stopped_at, session.stop_reason) == (left, StopReason.SENSOR)
    assert session.minutes == 38 and session.amount == 760  # 12 UAH an hour
    assert session.status == SessionStatus.PAID and session.receipt.startswith("wallet:")
    assert wallet.balance(wallet.access_account(driver)) == balance - 760
    stopped = OutboxEvent.objects.filter(name="parking.SessionStopped").get()
    assert "AA1234BB" not in json.dumps(stopped.payload) and "user" not in stopped.payload

    # The same message again (a redelivery) changes nothing; an older sample is ignored.
    store_readings([_reading(sensors["park-t1"], 0.0, left)])
    store_readings([_reading(sensors["park-t1"], 1.0, left - timedelta(minutes=1))])
    assert Place.objects.get(sensor="park-t1").occupied is False
    assert wallet.balance(wallet.access_account(driver)) == balance - 760
    receipt = client.get(f"/parking/sessions/{session.public_id}/")
    assert receipt.status_code == 200 and "7,60" in receipt.content.decode()


def test_the_http_ingest_stops_the_session_too(city: Lot, sensors: dict[str, Any],
                                               driver: Any) -> None:
    """The sensor's reading over the iot module's HTTP intake (``POST /api/iot/readings``)."""
    from misto.iot.services import issue_credentials

    token = issue_credentials(sensors["park-t2"])
    now = timezone.now().replace(microsecond=0)
    checked = services.check_start(driver, "BC0007KA", city, place_number="2",
                                   now=now - timedelta(minutes=20))
    session = services.do_start(checked)
    answer = Client().post("/api/iot/readings", json.dumps(
        {"readings": [{"ts": now.isoformat(), "values": {"occupancy": 0, "battery": 90}}]}),
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert answer.status_code == 202, answer.content
    session.refresh_from_db()
    assert session.stop_reason == StopReason.SENSOR and session.minutes == 20
    assert session.amount == 400 and session.status == SessionStatus.PAID


def test_the_driver_stops_and_gets_a_receipt(city: Lot, driver: Any) -> None:
    start = timezone.now() - timedelta(minutes=30)
    session = services.do_start(services.check_start(driver, "AX5555EE", city, now=start))
    assert session.place is None  # no sensed place was just taken
    stopped = services.stop_by_driver(session, start + timedelta(minutes=30))
    assert (stopped.minutes, stopped.amount, stopped.status) == (30, 600, SessionStatus.PAID)
    assert stopped.stop_reason == StopReason.RESIDENT


def test_the_longest_stay_ends_the_session(city: Lot, driver: Any) -> None:
    start = timezone.now() - timedelta(hours=3)
    session = services.do_start(services.check_start(driver, "AX5555EE", city, now=start))
    assert session.ends_at == start + timedelta(minutes=120)
    assert services.expire_due() == 1
    session.refresh_from_db()
    assert (session.stop_reason, session.minutes, session.amount) == ("max_stay", 120, 2400)


def test_the_paid_hours_ending_end_the_session(city: Lot, driver: Any) -> None:
    from misto.parking.tests.conftest import kyiv

    day = Lot.objects.get(code="d-1")
    session = services.do_start(services.check_start(driver, "AX5555EE", day,
                                                     now=kyiv(2026, 12, 4, 19, 0)))
    assert session.ends_at == kyiv(2026, 12, 4, 20, 0)
    services.expire_due(kyiv(2026, 12, 4, 21, 0))
    session.refresh_from_db()
    assert (session.stop_reason, session.amount) == ("tariff_end", 3000)


def test_lots_show_their_free_places(city: Lot, sensors: dict[str, Any]) -> None:
    now = timezone.now()
    store_readings([_reading(sensors["park-t1"], 1.0, now), _reading(sensors["park-t2"], 0.0,
                                                                      now)])
    lots = {row["code"]: row for row in Client().get("/api/parking/lots").json()}
    assert (lots["t-1"]["places"], lots["t-1"]["free"], lots["t-1"]["state"]) == (4, 3, "many")
    assert lots["r-1"]["state"] == "nodata"
    geojson = Client().get("/api/parking/lots.geojson").json()
    feature = next(f for f in geojson["features"] if f["id"] == "t-1")
    assert feature["geometry"]["type"] == "MultiPolygon" and feature["properties"]["free"] == 3
    near = Client().get("/api/parking/lots/near?lon=35.1301&lat=47.8201").json()
    assert near[0]["code"] == "t-1" and near[0]["distance_m"] < 30
    hour = OccupancyHour.objects.get(lot=city)
    assert (hour.samples, hour.occupied) == (2, 1)
