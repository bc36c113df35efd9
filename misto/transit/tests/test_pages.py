"""The resident's pages (live map, stop, board, accuracy) in both languages, the
dispatcher's page, service alerts from the staff API and from announcements, and the
overload watch that tells the situational centre."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from misto.core.events import EventEnvelope
from misto.core.models import OutboxEvent
from misto.testing import make_staff
from misto.transit import handlers
from misto.transit.models import Alert, Vehicle, VehicleState
from misto.transit.services import overload, positions
from misto.transit.tests.conftest import fix

pytestmark = pytest.mark.django_db


@pytest.fixture
def moving(live_feed: Any, bus: Any) -> Any:
    _feed, left = live_feed
    vehicle, _key = bus
    positions.record(vehicle, fix(0.0, left, passengers=26))
    positions.record(vehicle, fix(0.2, left + timedelta(seconds=100)))
    return vehicle


@pytest.mark.parametrize(("language", "words"), [
    ("uk", ["Наступні", "вільних місць", "наживо"]),
    ("en", ["Next arrivals", "free seats", "live"]),
])
def test_a_stop_shows_live_arrivals_with_free_seats(moving: Any, client: Client, language: str,
                                                    words: list[str]) -> None:
    client.cookies["django_language"] = language
    page = client.get("/transit/stops/103/").content.decode()
    for word in words:
        assert word in page
    assert "Шевченка 3" in page and "4 " in page  # 30 seats, 26 aboard
    fragment = client.get("/transit/stops/103/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and "tr-live" in fragment
    assert client.get("/transit/stops/nope/").status_code == 404


def test_the_board_falls_back_to_the_timetable_when_the_feed_is_quiet(moving: Any,
                                                                       client: Client) -> None:
    client.cookies["django_language"] = "en"
    live = client.get("/transit/board/103").content.decode()
    assert 'class="tr-live"' in live and "Timetable times" not in live
    VehicleState.objects.update(fixed_at=datetime.now(UTC) - timedelta(minutes=10))
    quiet = client.get("/transit/board/103").content.decode()
    assert "Timetable times: no live positions right now." in quiet
    assert 'class="tr-timetable"' in quiet and "Last live update at" in quiet


@pytest.mark.parametrize("language", ["uk", "en"])
def test_the_public_pages_answer(moving: Any, client: Client, language: str) -> None:
    client.cookies["django_language"] = language
    for path in ("/transit/", "/transit/accuracy/", "/transit/board/101"):
        assert client.get(path).status_code == 200, path
    qr = client.get("/transit/stops/101/qr.svg")
    assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content
    assert client.get("/api/transit/coverage").json() == {
        "vehicles": 1, "with_gps": 1, "on_map": 1, "share_on_map": 1.0}
    vehicles = client.get("/api/transit/vehicles").json()
    assert vehicles[0]["id"] == "bus-7" and vehicles[0]["load"]["free_seats"] == 4
    board = client.get("/api/transit/stops/103/arrivals").json()
    assert board["arrivals"][0]["live"] and board["arrivals"][0]["load"]["passengers"] == 26


def test_the_dispatch_page_is_the_dispatchers(moving: Any, client: Client) -> None:
    assert client.get("/transit/dispatch/").status_code in (302, 403)
    client.force_login(make_staff("disp", "dispatcher"))
    page = client.get("/transit/dispatch/").content.decode()
    assert "33 %" in page  # 26 of 80 aboard on route 7


def test_an_overloaded_route_is_raised_once_and_cleared(moving: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("MISTO_TRANSIT_OVERLOAD_PERCENT", "30")
    monkeypatch.setenv("MISTO_TRANSIT_OVERLOAD_MINUTES", "5")
    now = datetime.now(UTC)
    assert overload.watch(now) == []  # over since now, not yet for 5 minutes

    def heard(minutes: int) -> datetime:
        VehicleState.objects.update(fixed_at=now + timedelta(minutes=minutes))
        return now + timedelta(minutes=minutes)

    [raised] = overload.watch(heard(5))
    assert raised.route_id == "R1" and raised.occupancy_percent == 33 and not raised.cleared
    assert overload.watch(heard(6)) == []  # once per episode
    monkeypatch.setenv("MISTO_TRANSIT_OVERLOAD_PERCENT", "50")
    [cleared] = overload.watch(heard(7))
    assert cleared.cleared and cleared.route_id == "R1"
    names = list(OutboxEvent.objects.values_list("name", flat=True))
    assert names.count("transit.RouteOverloaded") == 2


def test_alerts_from_dispatchers_and_from_transport_announcements(live_feed: Any,
                                                                  client: Client) -> None:
    body = {"header": "Об'їзд", "effect": "DETOUR", "route_ids": ["R1"]}
    assert client.post("/api/transit/alerts", body,
                       content_type="application/json").status_code == 401
    client.force_login(make_staff("disp", "dispatcher"))
    bad = client.post("/api/transit/alerts", {**body, "route_ids": ["R9"]},
                      content_type="application/json")
    assert bad.status_code == 400 and bad.json()["error"] == "invalid"
    made = client.post("/api/transit/alerts", body, content_type="application/json")
    assert made.status_code == 201
    ended = client.post(f"/api/transit/alerts/{made.json()['id']}/end")
    assert ended.status_code == 200 and ended.json()["ends_at"]
    envelope = EventEnvelope(id=1, name="notifications.AnnouncementPublished", uuid="u1", payload={
        "announcement_id": 5, "topics": ["traffic"], "title": "Трамвай № 3 не курсує"},
        occurred_at=datetime.now(UTC))
    handlers.on_announcement(envelope)
    handlers.on_announcement(envelope)  # once per announcement
    other = EventEnvelope(id=2, name="notifications.AnnouncementPublished", uuid="u2", payload={
        "announcement_id": 6, "topics": ["education"], "title": "Канікули"},
        occurred_at=datetime.now(UTC))
    handlers.on_announcement(other)
    assert list(Alert.objects.filter(source="notifications").values_list(
        "header", flat=True)) == ["Трамвай № 3 не курсує"]


def test_registering_a_vehicle_gives_its_tracker_a_key_once(db: Any, client: Client) -> None:
    client.force_login(make_staff("it", "it_admin"))
    answer = client.post("/api/transit/trackers", {"code": "bus-9", "seats": 20,
                                                   "capacity": 60},
                         content_type="application/json").json()
    vehicle = Vehicle.objects.get(code="bus-9")
    assert answer["key"] and vehicle.token_hash == positions.token_digest(answer["key"])
    assert positions.tracker("bus-9", answer["key"]) == vehicle


def _deliver_to_situation() -> int:
    """Deliver what waits for the situation centre (no commit happens inside a test)."""
    from misto.core.models import DeliveryStatus, EventDelivery
    from misto.core.outbox import deliver

    return sum(deliver(pk) for pk in EventDelivery.objects.filter(
        status=DeliveryStatus.PENDING, handler="situation.on_route_overloaded")
        .values_list("pk", flat=True))


def test_the_situational_centre_gets_an_incident_for_an_overloaded_route(
        moving: Any, monkeypatch: Any) -> None:
    from misto.situation.models import Incident

    monkeypatch.setenv("MISTO_TRANSIT_OVERLOAD_PERCENT", "30")
    monkeypatch.setenv("MISTO_TRANSIT_OVERLOAD_MINUTES", "0")
    overload.watch()
    assert _deliver_to_situation() == 1
    incident = Incident.objects.get(kind__code="transport")
    assert "7" in incident.title and incident.status == "open"
    monkeypatch.setenv("MISTO_TRANSIT_OVERLOAD_PERCENT", "90")
    overload.watch()
    assert _deliver_to_situation() == 1
    incident.refresh_from_db()
    assert incident.status != "open"  # nobody took it on and its one source cleared


def test_a_resident_keeps_a_stop_in_the_cabinet(moving: Any, client: Client) -> None:
    from misto.testing.world import make_resident

    assert client.post("/transit/stops/103/favourite").status_code == 302  # sign in first
    resident = make_resident("rider")
    client.force_login(resident)
    client.cookies["django_language"] = "en"
    answer = client.post("/transit/stops/103/favourite")
    assert answer.status_code == 303 and answer["Location"] == "/transit/stops/103/"
    assert "In my stops" in client.get("/transit/stops/103/").content.decode()
    cabinet = client.get("/cabinet/").content.decode()
    assert "My stops" in cabinet and "Шевченка 3" in cabinet and "free seats" in cabinet
    client.post("/transit/stops/103/favourite")  # and off again
    assert "Add to my stops" in client.get("/transit/stops/103/").content.decode()
    assert client.get("/transit/stops/103/favourite").status_code == 405
