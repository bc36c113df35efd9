"""What other systems read: GTFS-Realtime (parsed back with gtfs-realtime-bindings), the
OneBusAway-shaped arrivals, and positions in over Traccar/OsmAnd and the machine API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
from django.test import Client
from google.transit import gtfs_realtime_pb2 as rt

from misto.transit.models import Alert, DeadFix, VehicleState
from misto.transit.services import realtime
from misto.transit.tests.conftest import LAT, STOP_LONS

pytestmark = pytest.mark.django_db


def _osmand(client: Client, key: str, at: datetime, share: float, **extra: Any) -> Any:
    lon = STOP_LONS[0] + share * (STOP_LONS[-1] - STOP_LONS[0])
    return client.post("/transit/osmand", {"id": "bus-7", "key": key, "lat": LAT, "lon": lon,
                                           "timestamp": int(at.timestamp()), "speed": "10",
                                           **extra})


@pytest.fixture
def moving(live_feed: Any, bus: Any, client: Client) -> Any:
    """The bus on the first trip: at the first stop as it left, then a minute on."""
    _feed, left = live_feed
    _vehicle, key = bus
    assert _osmand(client, key, left, 0.0, passengers=8).content == b"OK"
    assert _osmand(client, key, left + timedelta(seconds=100), 0.2, **{"in": 5, "out": 1}
                   ).content == b"OK"
    realtime.forget()
    return bus


def _parse(client: Client, kind: str) -> rt.FeedMessage:
    response = client.get(f"/gtfs-rt/{kind}.pb")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-protobuf"
    message = rt.FeedMessage()
    message.ParseFromString(response.content)
    assert message.header.gtfs_realtime_version == "2.0"
    assert message.header.incrementality == rt.FeedHeader.FULL_DATASET
    return message


def test_vehicle_positions_parse_with_occupancy(moving: Any, client: Client) -> None:
    message = _parse(client, "vehicle-positions")
    [entity] = message.entity
    v = entity.vehicle
    assert entity.id == "bus-7" and v.vehicle.id == "bus-7"
    assert v.trip.trip_id == "T0" and v.trip.route_id == "R1"
    assert v.current_stop_sequence == 2
    assert v.position.speed == pytest.approx(5.14, abs=0.01)  # 10 knots
    assert v.occupancy_status == rt.VehiclePosition.MANY_SEATS_AVAILABLE  # 12 of 30 seats
    assert v.occupancy_percentage == 15  # 12 of 80
    assert message.header.timestamp == v.timestamp


def test_trip_updates_carry_each_downstream_stop(moving: Any, client: Client) -> None:
    [entity] = _parse(client, "trip-updates").entity
    update = entity.trip_update
    assert entity.id.startswith("trip:T0:") and update.vehicle.id == "bus-7"
    assert [u.stop_id for u in update.stop_time_update] == ["S2", "S3", "S4"]
    times = [u.arrival.time for u in update.stop_time_update]
    assert times == sorted(times) and times[0] > update.timestamp


def test_alerts_feed_and_its_translations(live_feed: Any, client: Client) -> None:
    Alert.objects.create(header="Об'їзд по Козацькій", header_en="Detour via Kozatska",
                         effect="DETOUR", route_ids=["R1"])
    Alert.objects.create(header="Вчорашнє", ends_at=datetime.now(UTC) - timedelta(hours=1))
    [entity] = _parse(client, "alerts").entity
    alert = entity.alert
    assert alert.effect == rt.Alert.DETOUR and alert.informed_entity[0].route_id == "R1"
    assert {(t.language, t.text) for t in alert.header_text.translation} == {
        ("uk", "Об'їзд по Козацькій"), ("en", "Detour via Kozatska")}


def test_if_modified_since_and_json_for_people(moving: Any, client: Client) -> None:
    first = client.get("/gtfs-rt/vehicle-positions.pb")
    again = client.get("/gtfs-rt/vehicle-positions.pb",
                       HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 304
    older = format_datetime(datetime.now(UTC) - timedelta(hours=1), usegmt=True)
    assert client.get("/gtfs-rt/vehicle-positions.pb",
                      HTTP_IF_MODIFIED_SINCE=older).status_code == 200
    data = client.get("/gtfs-rt/vehicle-positions.pb?format=json").json()
    assert data["entity"][0]["vehicle"]["occupancy_status"] == "MANY_SEATS_AVAILABLE"
    assert client.get("/gtfs-rt/nonsense.pb").status_code == 404


def test_stale_vehicles_leave_the_feeds(moving: Any, client: Client) -> None:
    VehicleState.objects.update(fixed_at=datetime.now(UTC) - timedelta(minutes=5))
    assert not _parse(client, "vehicle-positions").entity
    assert not _parse(client, "trip-updates").entity


def test_onebusaway_arrivals_for_a_stop(moving: Any, client: Client) -> None:
    body = client.get("/api/where/arrivals-and-departures-for-stop/city_S3.json").json()
    assert body["code"] == 200 and body["version"] == 2
    entry = body["data"]["entry"]
    assert entry["stopId"] == "city_S3"
    live = [a for a in entry["arrivalsAndDepartures"] if a["predicted"]]
    assert live and live[0]["tripId"] == "city_T0" and live[0]["freeSeats"] == 18
    assert live[0]["predictedArrivalTime"] > 0
    assert {t["id"] for t in body["data"]["references"]["trips"]} >= {"city_T0"}
    missing = client.get("/api/where/arrivals-and-departures-for-stop/city_NOPE.json")
    assert missing.status_code == 404 and missing.json()["code"] == 404


def test_osmand_refuses_a_wrong_key_and_garbled_fixes(live_feed: Any, bus: Any,
                                                      client: Client) -> None:
    _feed, left = live_feed
    assert _osmand(client, "wrong", left, 0.0).status_code == 401
    assert client.get("/transit/osmand", {"id": "bus-7", "key": bus[1], "lat": "x",
                                          "lon": "35"}).status_code == 400
    assert client.get("/transit/osmand", {"id": "bus-7", "key": bus[1], "lat": "nan",
                                          "lon": "35"}).status_code == 400
    far = client.get("/transit/osmand", {"id": "bus-7", "key": bus[1], "lat": "50.45",
                                         "lon": "30.52"})
    assert far.status_code == 200 and far.content == b"dead letter: outside_city"
    assert DeadFix.objects.get().reason == "outside_city"


def test_the_machine_api_takes_a_batch(live_feed: Any, bus: Any, client: Client) -> None:
    _feed, left = live_feed
    _vehicle, key = bus
    body = {"fixes": [
        {"ts": (left + timedelta(seconds=60)).isoformat(), "lat": LAT, "lon": 35.125,
         "passengers": 4},
        {"ts": left.isoformat(), "lat": LAT, "lon": 35.1205},
        {"ts": (left + timedelta(seconds=61)).isoformat(), "lat": LAT, "lon": 36.5}]}
    refused = client.post("/api/transit/positions", body, content_type="application/json",
                          HTTP_AUTHORIZATION="Bearer nope", HTTP_X_VEHICLE="bus-7")
    assert refused.status_code == 401 and refused.json()["error"] == "unknown_tracker"
    answer = client.post("/api/transit/positions", body, content_type="application/json",
                         HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_X_VEHICLE="bus-7").json()
    assert (answer["accepted"], answer["dead_lettered"]) == (2, 1)
    assert [r["reason"] for r in answer["results"]] == ["", "", "outside_city"]
    assert answer["results"][1]["trip_id"] == "T0"
