"""Trips, distance and consumption from a synthetic track; refuels and drains from noisy
fuel series; bad fixes refused with their reason; the readings sink and OsmAnd."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from misto.core import readings
from misto.core.models import OutboxEvent
from misto.fleet.models import FuelEvent, Position, RefusedFix, Trip, VehicleState
from misto.fleet.services import days, fuel, tracking
from misto.fleet.tests.conftest import LAT, at, drive, parked
from misto.twin.geo import geodesic_m

pytestmark = pytest.mark.django_db


def published(name: str) -> list[dict]:
    return [e.payload for e in OutboxEvent.objects.filter(name=name).order_by("pk")]


def test_a_trip_and_its_consumption_from_a_synthetic_track(car):
    vehicle, _key = car
    rows = parked(at(7), 35.12, 10, 40.0) + drive(at(7) + timedelta(minutes=10), 35.12, 35.20,
                                                 15, fuel=(40.0, 39.4), noise=0.1) \
        + parked(at(7.5), 35.20, 10, 39.4)
    tracking.apply({vehicle: rows})
    trip = Trip.objects.get(vehicle=vehicle)
    expected = geodesic_m([35.12], [LAT], [35.20], [LAT])[0]  # 5.99 km
    assert trip.ended_at is not None
    assert trip.distance_m == pytest.approx(expected, rel=0.01)
    assert trip.l_per_100km() == pytest.approx(0.6 / (expected / 100_000), abs=1.5)
    summary = days.day_of(vehicle, at(0).date())
    assert summary.distance_km == pytest.approx(expected / 1000, abs=0.1)
    assert summary.odometer_start_km == 12_000
    assert summary.fuel_used_l == pytest.approx(0.6, abs=0.1)
    assert summary.l_per_100km == pytest.approx(10.0, abs=1.5)
    assert VehicleState.objects.get(vehicle=vehicle).trip is None


def test_the_same_samples_twice_change_nothing(car):
    vehicle, _key = car
    rows = drive(at(8), 35.12, 35.14, 6, fuel=(40, 39.5))
    tracking.apply({vehicle: rows})
    before = (Position.objects.count(), Trip.objects.get().distance_m)
    tracking.apply({vehicle: rows})
    assert (Position.objects.count(), Trip.objects.get().distance_m) == before


def test_one_refuel_and_one_drain_in_a_noisy_day_and_no_drain_while_driving(car):
    vehicle, _key = car
    rows = (parked(at(7), 35.12, 20, 30.0, noise=0.8)
            + drive(at(7.4), 35.12, 35.15, 15, fuel=(30.0, 28.5), noise=1.2, seed=3)
            + parked(at(8), 35.15, 40, 28.5, noise=0.8, change_at=15, change=+25.0, seed=4)
            + drive(at(9), 35.15, 35.12, 15, fuel=(53.5, 52.0), noise=1.2, seed=5)
            + parked(at(22), 35.12, 60, 52.0, noise=0.8, change_at=20, change=-18.0, seed=6))
    tracking.apply({vehicle: rows})
    events = list(FuelEvent.objects.filter(vehicle=vehicle).order_by("at"))
    assert [(e.kind, round(e.litres)) for e in events] == [("refuel", 25), ("drain", 18)]
    refuel, drain = events
    assert at(8.2) <= refuel.at <= at(8.5) and at(22.3) <= drain.at <= at(22.5)
    assert drain.lon == pytest.approx(35.12) and drain.lat == pytest.approx(LAT)
    assert [p["litres"] for p in published("fleet.FuelDrainDetected")] == [drain.litres]
    assert len(published("fleet.RefuelDetected")) == 1
    summary = days.day_of(vehicle, at(0).date())
    assert summary.refuelled_l == refuel.litres and summary.drained_l == drain.litres
    assert summary.fuel_used_l == pytest.approx(3.0, abs=1.5)  # never negative after a refuel


def test_the_filter_on_its_own_noisy_series():
    """Pure detector: sloshes of +-6 l while driving and noise while parked raise nothing."""
    rng = random.Random(7)
    memory, found = fuel.Memory(), []
    level = 60.0
    for i in range(600):  # driving: 0.01 l a reading, with noise and sloshes
        level -= 0.01
        slosh = rng.choice((-6, 6)) if rng.random() < 0.05 else 0
        memory, change = fuel.step(memory, level + rng.gauss(0, 1.5) + slosh,
                                   at(8) + timedelta(seconds=10 * i), parked=False,
                                   threshold=8)
        found += [change] if change else []
    for i in range(300):  # parked: noise only
        memory, change = fuel.step(memory, level + rng.gauss(0, 1.0),
                                   at(10) + timedelta(seconds=60 * i), parked=True,
                                   threshold=8)
        found += [change] if change else []
    assert found == []


def test_a_slow_siphon_while_parked_is_a_drain(car):
    vehicle, _key = car
    rows = parked(at(1), 35.13, 10, 45.0)
    for i in range(1, 21):  # 1 l a minute for 20 minutes: each step under the threshold
        ts = at(1) + timedelta(minutes=10 + i)
        rows.append(tracking.Reading(ts, tracking.Fix(ts, 35.13, LAT, 0.0, 0.0, False),
                                     45.0 - i))
    rows += parked(at(1) + timedelta(minutes=30), 35.13, 10, 25.0)
    tracking.apply({vehicle: rows})
    assert [(e.kind, round(e.litres)) for e in FuelEvent.objects.all()] == [("drain", 20)]


@pytest.mark.parametrize(("lon", "lat", "shift", "reason"), [
    (0.0, 0.0, 0, "bad_coordinates"),
    (float("nan"), 47.82, 0, "bad_coordinates"),
    (30.52, 50.45, 0, "outside_city"),
    (35.13, 47.82, 3600, "future"),
])
def test_bad_fixes_are_refused_with_their_reason(car, lon, lat, shift, reason):
    vehicle, _key = car
    from django.utils import timezone

    ts = timezone.now() + timedelta(seconds=shift)
    outcome = tracking.apply({vehicle: [tracking.Reading(ts, tracking.Fix(ts, lon, lat))]})
    assert outcome[(vehicle.pk, ts)] == tracking.Outcome(False, reason)
    assert RefusedFix.objects.get().reason == reason
    assert not Position.objects.exists()


def test_a_jump_is_refused(car):
    vehicle, _key = car
    tracking.apply({vehicle: [tracking.Reading(at(8), tracking.Fix(at(8), 35.12, LAT))]})
    ts = at(8) + timedelta(seconds=10)
    outcome = tracking.apply({vehicle: [tracking.Reading(ts, tracking.Fix(ts, 35.20, LAT))]})
    assert outcome[(vehicle.pk, ts)].reason == "jump"


def test_the_readings_sink_takes_trackers_and_fuel_sensors_by_device(car):
    vehicle, _key = car
    readings.reset()
    assert {"vehicle-tracker", "fuel-level"} <= readings.claimed_models()
    readings.deliver([
        readings.Sample("trk-t1", "vehicle-tracker", at(8),
                        {"latitude": LAT, "longitude": 35.12, "speed": 0, "ignition": 0}),
        readings.Sample("fuel-t1", "fuel-level", at(8), {"fuelLevel": 40.0}),
        readings.Sample("trk-unknown", "vehicle-tracker", at(8),
                        {"latitude": LAT, "longitude": 35.12}),
    ])
    state = VehicleState.objects.get(vehicle=vehicle)
    assert (state.lon, state.fuel_raw) == (35.12, [40.0])
    assert Position.objects.count() == 1


def test_a_drain_becomes_an_incident_of_the_situation_centre(car):
    from misto.core import outbox
    from misto.situation.models import Incident

    vehicle, _key = car
    tracking.apply({vehicle: parked(at(2), 35.13, 30, 45.0, noise=0.5, change_at=10,
                                    change=-20.0)})
    while outbox.deliver_due(limit=100):
        pass
    incident = Incident.objects.get(kind__code="fuel_drain")
    assert "AP0001KM" in incident.title and incident.lon == pytest.approx(35.13)
