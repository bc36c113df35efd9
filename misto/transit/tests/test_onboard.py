"""Devices on the buses: positions and passenger counts over MQTT through the IoT platform
(a real Mosquitto on 127.0.0.1:1883), the same checks and matching as the OsmAnd path; and
the wallet's validations counted as boardings, once per event."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from misto.conftest import wait_for
from misto.core import bus as event_bus
from misto.core import outbox
from misto.core.events import EventEnvelope
from misto.core.models import EventDelivery, OutboxEvent
from misto.iot.tests.conftest import BROKER, mqtt_settings_for, publish, running_consumer
from misto.transit import handlers
from misto.transit.models import (
    CountedValidation,
    DeadFix,
    OnboardDevice,
    PassengerFlow,
    Vehicle,
    VehicleState,
)
from misto.transit.services import onboard, positions, timetable
from misto.transit.tests.conftest import along, fix
from misto.wallet.events import RideValidated


@pytest.fixture
def iot_devices(city: Any) -> Any:
    """The iot catalogue with one bus tracker and one passenger counter registered."""
    from misto.iot.demo import ensure_catalogue
    from misto.iot.ingest import reset_directory
    from misto.iot.models import Reading
    from misto.iot.services import register_device

    models = ensure_catalogue()
    register_device("bus-trk-t1", "Tracker", models["transit-tracker"], lon=35.12, lat=47.82)
    register_device("apc-t1", "Counter", models["passenger-counter"], lon=35.12, lat=47.82)
    reset_directory()
    yield models
    reset_directory()
    Reading.objects.all()._raw_delete(Reading.objects.db)  # not flushed by Django


@pytest.fixture
def linked(bus: Any) -> Vehicle:
    vehicle, _key = bus
    onboard.do_link(vehicle, "tracker", "bus-trk-t1")
    onboard.do_link(vehicle, "counter", "apc-t1")
    return vehicle


class Mqtt:
    """A consumer on this test's own tenant, and a client publishing as any device."""

    def __init__(self, tenant: str, client: Any) -> None:
        self.tenant, self.client = tenant, client

    def __call__(self, uid: str, body: Any) -> None:
        publish(self.client, self.tenant, uid, body)


@pytest.fixture
def mqtt(iot_devices: Any) -> Any:
    from paho.mqtt.client import CallbackAPIVersion, Client, MQTTv5

    tenant = f"t{uuid.uuid4().hex[:10]}"
    client = Client(CallbackAPIVersion.VERSION2, client_id=f"transit-test-{tenant}",
                    protocol=MQTTv5)
    client.connect(*BROKER)
    client.loop_start()
    with running_consumer(mqtt_settings_for(tenant)):
        yield Mqtt(tenant, client)
    client.loop_stop()
    client.disconnect()


def _tracker(share: float, at: datetime, **extra: Any) -> dict[str, Any]:
    lon, lat = along(share)
    return {"ts": at.isoformat(), "values": {"latitude": lat, "longitude": lon, "speed": 25,
                                             "heading": 90, **extra}}


@pytest.mark.django_db(transaction=True)
def test_a_tracker_over_mqtt_moves_the_bus_and_a_bad_fix_is_dead_lettered(
        live_feed: Any, linked: Vehicle, mqtt: Any) -> None:
    _feed, left = live_feed
    mqtt("bus-trk-t1", _tracker(0.0, left))
    mqtt("bus-trk-t1", _tracker(0.2, left + timedelta(seconds=100)))
    assert wait_for(lambda: VehicleState.objects.filter(vehicle=linked, progress_m__gt=400)
                    .exists(), 15)
    state = VehicleState.objects.get(vehicle=linked)
    assert state.trip_id == "T0" and state.route_id == "R1"
    assert state.speed == pytest.approx(25 / 3.6, abs=0.01)  # km/h on the wire, m/s here
    # 30 km away in ten seconds: the iot module stores the reading, transit refuses the fix.
    mqtt("bus-trk-t1", {"ts": (left + timedelta(seconds=110)).isoformat(),
                        "values": {"latitude": 48.1, "longitude": 35.5}})
    assert wait_for(lambda: DeadFix.objects.filter(vehicle_code="bus-7").exists(), 15)
    assert DeadFix.objects.get(vehicle_code="bus-7").reason == "outside_city"
    assert VehicleState.objects.get(vehicle=linked).fixed_at == left + timedelta(seconds=100)
    # A tracker on no vehicle: stored by the iot module, nothing here.
    OnboardDevice.objects.filter(code="bus-trk-t1").delete()
    mqtt("bus-trk-t1", _tracker(0.3, left + timedelta(seconds=130)))
    from misto.iot.models import Latest
    assert wait_for(lambda: Latest.objects.filter(
        device__uid="bus-trk-t1", quantity="latitude",
        ts__gt=left + timedelta(seconds=120)).exists(), 15)
    assert VehicleState.objects.get(vehicle=linked).fixed_at == left + timedelta(seconds=100)


@pytest.mark.django_db(transaction=True)
def test_a_passenger_counter_over_mqtt_counts_once(live_feed: Any, linked: Vehicle,
                                                   mqtt: Any) -> None:
    _feed, left = live_feed
    mqtt("bus-trk-t1", _tracker(0.0, left))
    mqtt("bus-trk-t1", _tracker(0.2, left + timedelta(seconds=100)))
    assert wait_for(lambda: VehicleState.objects.filter(vehicle=linked, trip_id="T0")
                    .exists(), 15)
    counts = {"ts": (left + timedelta(seconds=105)).isoformat(),
              "values": {"onboard": 12}}
    mqtt("apc-t1", counts)
    assert wait_for(lambda: VehicleState.objects.get(vehicle=linked).passengers == 12, 15)
    boarded = {"ts": (left + timedelta(seconds=110)).isoformat(), "values": {"in": 5, "out": 2}}
    mqtt("apc-t1", boarded)
    mqtt("apc-t1", boarded)  # redelivered: not counted again
    mqtt("apc-t1", json.dumps({"ts": (left + timedelta(seconds=111)).isoformat(),
                               "values": {"in": 0}}).encode())
    assert wait_for(lambda: VehicleState.objects.get(vehicle=linked).counted_at
                    == left + timedelta(seconds=110), 15)
    assert wait_for(lambda: OnboardDevice.objects.get(code="apc-t1").seen_at
                    == left + timedelta(seconds=111), 15)
    state = VehicleState.objects.get(vehicle=linked)
    assert state.passengers == 15 and state.counter_at is not None
    flow = PassengerFlow.objects.get()
    assert (flow.route_id, flow.boarded, flow.alighted) == ("R1", 5, 2)


@pytest.mark.django_db(transaction=True)
def test_the_simulator_publishes_over_mqtt_as_the_buses_devices(live_feed: Any,
                                                                linked: Vehicle,
                                                                mqtt: Any,
                                                                monkeypatch: Any) -> None:
    from misto.transit.simulator import Simulation, mqtt_sender

    tt = timetable.current()
    assert tt is not None
    from django.conf import settings

    monkeypatch.setattr(settings, "MQTT_URL", f"mqtt://{BROKER[0]}:{BROKER[1]}", raising=False)
    monkeypatch.setenv("MISTO_IOT_TENANT", mqtt.tenant)
    simulation = Simulation(tt, [linked], seed=5)
    simulation.sims[0].route_id = "R1"
    send = mqtt_sender()
    now = timezone.now()
    answers = [send(v, f) for step in range(2) for v, f in simulation.step(
        now + timedelta(seconds=5 * step))]
    assert answers == ["OK", "OK"]
    assert wait_for(lambda: VehicleState.objects.filter(vehicle=linked, trip_id__startswith="T",
                                                        passengers__isnull=False).exists(), 15)


# --- Validations -------------------------------------------------------------------------


def _validated(validator: str, at: datetime) -> int:
    with transaction.atomic():
        return event_bus.publish(RideValidated(validator=validator, at=at.isoformat(),
                                               charged=1500, basis="fare"))


def _deliver(event_id: int) -> None:
    for delivery in EventDelivery.objects.filter(event_id=event_id,
                                                 handler="transit.on_ride_validated"):
        outbox.deliver(delivery.pk)


@pytest.mark.django_db(transaction=True)
def test_a_validation_takes_a_free_seat_once(live_feed: Any, bus: Any) -> None:
    _feed, left = live_feed
    vehicle, _key = bus
    onboard.do_link(vehicle, "validator", "val-7")
    positions.record(vehicle, fix(0.0, left))
    positions.record(vehicle, fix(0.2, left + timedelta(seconds=100)))
    assert VehicleState.objects.get(vehicle=vehicle).passengers is None
    now = datetime.now(UTC)
    event_id = _validated("val-7", now)
    _deliver(event_id)
    state = VehicleState.objects.get(vehicle=vehicle)
    assert state.passengers == 1
    # Redelivered (a transport may deliver twice): counted once.
    event = OutboxEvent.objects.get(pk=event_id)
    handlers.on_ride_validated(outbox.envelope(event))
    _deliver(event_id)
    assert VehicleState.objects.get(vehicle=vehicle).passengers == 1
    assert CountedValidation.objects.count() == 1
    flows = PassengerFlow.objects.get()
    assert (flows.route_id, flows.boarded) == ("R1", 1)
    # An unknown validator, a tap uploaded an hour late: recorded, counted nowhere.
    _deliver(_validated("val-x", now))
    _deliver(_validated("val-7", now - timedelta(hours=1)))
    assert VehicleState.objects.get(vehicle=vehicle).passengers == 1
    assert CountedValidation.objects.count() == 3


def test_a_counter_on_board_counts_the_validated_passengers_already(live_feed: Any,
                                                                     bus: Any) -> None:
    _feed, left = live_feed
    vehicle, _key = bus
    onboard.do_link(vehicle, "validator", "val-7")
    positions.record(vehicle, fix(0.0, left, passengers=10))
    now = datetime.now(UTC)
    envelope = EventEnvelope(id=1, uuid=str(uuid.uuid4()), name="wallet.RideValidated",
                             payload={"validator": "val-7", "at": now.isoformat(),
                                      "charged": 0, "basis": "pass"}, occurred_at=now)
    handlers.on_ride_validated(envelope)
    assert VehicleState.objects.get(vehicle=vehicle).passengers == 10
    garbled = EventEnvelope(id=2, uuid=str(uuid.uuid4()), name="wallet.RideValidated",
                            payload={"validator": "val-7", "at": "yesterday"}, occurred_at=now)
    handlers.on_ride_validated(garbled)
    assert CountedValidation.objects.count() == 1


def test_linking_devices_over_the_api(db: Any, bus: Any, client: Any) -> None:
    from misto.testing import make_staff

    vehicle, _key = bus
    body = {"vehicle": "bus-7", "kind": "validator", "code": "val-9"}
    assert client.post("/api/transit/devices", body,
                       content_type="application/json").status_code == 401
    client.force_login(make_staff("disp", "dispatcher"))
    assert client.post("/api/transit/devices", body,
                       content_type="application/json").status_code == 403
    client.force_login(make_staff("it", "it_admin"))
    made = client.post("/api/transit/devices", body, content_type="application/json")
    assert made.status_code == 201 and made.json() == body
    assert OnboardDevice.objects.get(code="val-9").vehicle == vehicle
    bad = client.post("/api/transit/devices", {**body, "kind": "toaster"},
                      content_type="application/json")
    assert bad.status_code == 400 and bad.json()["error"] == "invalid"
    missing = client.post("/api/transit/devices", {**body, "vehicle": "bus-404"},
                          content_type="application/json")
    assert missing.status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_simulator_speaks_with_the_demo_credentials_to_the_projects_broker(
        live_feed: Any, linked: Vehicle, iot_devices: Any, tmp_path: Any,
        monkeypatch: Any) -> None:
    """Mosquitto configured by ``misto iot broker-config`` as ``make run`` does: no
    anonymous client, each device on its own topic with its own secret."""
    import subprocess
    from io import StringIO

    from django.conf import settings
    from django.core.management import call_command

    from misto.core import readings
    from misto.iot import conf
    from misto.iot.demo import demo_secret
    from misto.iot.models import Device
    from misto.iot.services import issue_credentials
    from misto.iot.tests.conftest import free_port
    from misto.iot.tests.test_broker import MOSQUITTO, _listening
    from misto.transit.simulator import Simulation, mqtt_sender

    for uid in ("bus-trk-t1", "apc-t1"):
        issue_credentials(Device.objects.get(uid=uid), demo_secret(uid))
    tenant = f"t{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("MISTO_IOT_TENANT", tenant)
    port = free_port()
    call_command("iot", "broker-config", "--dir", str(tmp_path), "--port", str(port),
                 stdout=StringIO())
    process = subprocess.Popen([MOSQUITTO, "-c", str(tmp_path / "mosquitto.conf")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert wait_for(lambda: _listening(port), 10), "mosquitto did not start"
        monkeypatch.setattr(settings, "MQTT_URL",
                            (tmp_path / "mqtt_url").read_text().strip(), raising=False)
        monkeypatch.setenv("MISTO_MQTT_GROUP", tenant)
        monkeypatch.setenv("MISTO_MQTT_CLIENT_ID", f"misto-test-{tenant}")
        platform = conf.mqtt_settings()
        assert platform is not None
        with running_consumer(platform):
            tt = timetable.current()
            assert tt is not None
            simulation = Simulation(tt, [linked], seed=5)
            simulation.sims[0].route_id = "R1"
            send = mqtt_sender()
            [(vehicle, position)] = simulation.step(timezone.now())
            assert send(vehicle, position) == "OK"
            assert wait_for(lambda: VehicleState.objects.filter(
                vehicle=linked, trip_id__startswith="T", passengers__isnull=False).exists(), 15)
            # A device the demo gave no credentials to is refused by the broker.
            with pytest.raises(readings.DeviceChannelError, match=r"refused|closed"):
                readings.send_as_demo([readings.Sample("nobody-1", onboard.TRACKER_MODEL,
                                                       timezone.now(), {"latitude": 47.8})])
    finally:
        process.terminate()
        process.wait(10)
