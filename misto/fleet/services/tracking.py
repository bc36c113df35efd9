"""Positions and fuel readings in: the readings sink (trackers and fuel sensors through the
IoT platform) and the OsmAnd protocol end at :func:`apply`, which per vehicle and in time
order checks each fix, segments trips (the ignition input, or speed when there is none),
measures distance on the ellipsoid (``misto.twin.geo.geodesic_m``) and runs the fuel filter
(``services.fuel``), publishing refuels and drains.

A sample not newer than what the vehicle's state has seen is ignored (a redelivered MQTT
message reaches the sink again). A bad fix is refused with its reason (``RefusedFix``) and
changes nothing else.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, models, transaction
from django.db.models import Field, Q
from django.utils import timezone

from misto import twin
from misto.core import bus
from misto.core.readings import Sample
from misto.fleet import conf
from misto.fleet.events import FuelDrainDetected, RefuelDetected
from misto.fleet.models import (
    FuelEvent,
    FuelLevel,
    Position,
    RefusedFix,
    Trip,
    Vehicle,
    VehicleState,
)
from misto.fleet.services import fuel

TRACKER = "vehicle-tracker"
FUEL_SENSOR = "fuel-level"
FUTURE_S = 30
EXTENT_MARGIN_DEG = 0.05  # about 4-5 km around the city's districts
MIN_TRIP_M = 100.0  # shorter "trips" are GPS drift with the engine on


@dataclass(frozen=True)
class Fix:
    """A tracker's position, parsed (speed in km/h)."""

    ts: datetime
    lon: float
    lat: float
    speed_kmh: float | None = None
    heading: float | None = None
    ignition: bool | None = None


@dataclass(frozen=True)
class Reading:
    """One instant of a vehicle: a fix, a fuel level, or both (OsmAnd sends them together)."""

    ts: datetime
    fix: Fix | None = None
    fuel_l: float | None = None


@dataclass(frozen=True)
class Outcome:
    accepted: bool
    reason: str = ""


# --- From the readings sink ------------------------------------------------------------


def readings_of(sample: Sample) -> Reading:
    """A sink sample as a reading; a tracker sample without both coordinates is a bad fix
    (lat/lon NaN, refused by :func:`implausible`)."""
    values = sample.values
    if sample.model == FUEL_SENSOR:
        return Reading(sample.ts, fuel_l=values.get("fuelLevel"))
    ignition = values.get("ignition")
    fix = Fix(ts=sample.ts, lon=values.get("longitude", float("nan")),
              lat=values.get("latitude", float("nan")), speed_kmh=values.get("speed"),
              heading=values.get("heading"),
              ignition=None if ignition is None else ignition >= 0.5)
    return Reading(sample.ts, fix=fix, fuel_l=values.get("fuelLevel"))


def on_samples(samples: Sequence[Sample]) -> None:
    """The readings sink: samples of trackers and fuel sensors, by the vehicle they sit in.
    Devices on no active vehicle are skipped (installed, not yet assigned)."""
    uids = {s.device for s in samples}
    vehicles = {}
    for vehicle in Vehicle.objects.filter(Q(tracker_uid__in=uids) | Q(fuel_sensor_uid__in=uids),
                                          active=True):
        for uid in (vehicle.tracker_uid, vehicle.fuel_sensor_uid):
            if uid:
                vehicles[uid] = vehicle
    grouped: dict[Vehicle, list[Reading]] = defaultdict(list)
    for sample in samples:
        holder = vehicles.get(sample.device)
        if holder is not None:
            grouped[holder].append(readings_of(sample))
    if grouped:
        apply(grouped)


# --- Checking --------------------------------------------------------------------------

def _city_box() -> tuple[float, float, float, float] | None:
    return twin.city_box()  # a seam for the benchmark, whose city is synthetic


def implausible(fix: Fix, state: VehicleState, now: datetime) -> str:
    """Why a fix cannot be true ("" when it can): a ``RefusedFix.Reason``."""
    if not (-90 <= fix.lat <= 90 and -180 <= fix.lon <= 180) or (fix.lat == 0 and fix.lon == 0):
        return RefusedFix.Reason.BAD_COORDINATES  # NaN fails every comparison too
    box = _city_box()
    if box is not None:
        west, south, east, north = box
        m = EXTENT_MARGIN_DEG
        if not (west - m <= fix.lon <= east + m and south - m <= fix.lat <= north + m):
            return RefusedFix.Reason.OUTSIDE_CITY
    if fix.ts > now + timedelta(seconds=FUTURE_S):
        return RefusedFix.Reason.FUTURE
    if state.fixed_at is not None and state.lon is not None and state.lat is not None:
        seconds = max(1.0, (fix.ts - state.fixed_at).total_seconds())
        metres = twin.distance_m(state.lon, state.lat, fix.lon, fix.lat)
        if metres / seconds * 3.6 > conf.max_speed_kmh():
            return RefusedFix.Reason.JUMP
    return ""


# --- Applying --------------------------------------------------------------------------


class _Batch:
    """What one call writes, in bulk at the end."""

    def __init__(self) -> None:
        self.positions: list[Position] = []
        self.levels: list[FuelLevel] = []
        self.refused: list[RefusedFix] = []


def apply(readings: dict[Vehicle, list[Reading]], *,
          now: datetime | None = None) -> dict[tuple[int, datetime], Outcome]:
    """Apply each vehicle's readings in time order, in one transaction; the outcome of each
    (vehicle pk, ts) fix."""
    now = now or timezone.now()
    outcomes: dict[tuple[int, datetime], Outcome] = {}
    batch = _Batch()
    with transaction.atomic():
        states = _lock_states([vehicle.pk for vehicle in readings])
        for vehicle, rows in readings.items():
            state = states[vehicle.pk]
            state.vehicle = vehicle
            for reading in sorted(rows, key=lambda r: r.ts):
                if reading.fix is not None:
                    outcomes[(vehicle.pk, reading.ts)] = _fix(vehicle, state, reading.fix,
                                                              now, batch)
                if reading.fuel_l is not None:
                    _fuel(vehicle, state, reading.ts, reading.fuel_l, batch)
        _update(VehicleState, list(states.values()), STATE_FIELDS)
        _update(Trip, [s.trip for s in states.values() if s.trip is not None], TRIP_FIELDS)
        Position.objects.bulk_create(batch.positions, ignore_conflicts=True)
        FuelLevel.objects.bulk_create(batch.levels, ignore_conflicts=True)
        RefusedFix.objects.bulk_create(batch.refused)
    return outcomes


STATE_FIELDS = ["fixed_at", "lon", "lat", "speed_kmh", "heading", "ignition", "active_at",
                "odometer_km", "trip", "fuel_at", "fuel_raw", "fuel_medians", "fuel_level",
                "fuel_pending", "fuel_anchored"]
TRIP_FIELDS = ["distance_m", "max_speed_kmh", "fuel_end_l", "refuelled_l", "drained_l"]


def _update(model: type[models.Model], rows: Sequence[models.Model],
            names: Sequence[str]) -> None:
    """One prepared ``UPDATE`` run for every row (``executemany``): a batch of vehicles costs
    one statement, not a ``save()`` each (and not ``bulk_update``'s CASE per field, which
    costs more to build than to run)."""
    if not rows:
        return
    fields = [field for name in names
              if isinstance(field := model._meta.get_field(name), Field)]
    pk = model._meta.pk
    assert pk is not None
    quote = connection.ops.quote_name
    sql = (f"UPDATE {quote(model._meta.db_table)} SET "
           + ", ".join(f"{quote(str(f.column))} = %s" for f in fields)
           + f" WHERE {quote(pk.column)} = %s")
    params = [[f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields]
              + [row.pk] for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _locked(pks: list[int]) -> dict[int, VehicleState]:
    """The states, locked in the vehicles' order (two batches never wait on each other)."""
    return {s.vehicle_id: s for s in VehicleState.objects.select_for_update(of=("self",))
            .filter(vehicle_id__in=pks).select_related("trip").order_by("vehicle_id")}


def _lock_states(pks: list[int]) -> dict[int, VehicleState]:
    """The vehicles' states, locked (created at a vehicle's first reading)."""
    states = _locked(pks)
    missing = [pk for pk in pks if pk not in states]
    if missing:
        odometers = dict(Vehicle.objects.filter(pk__in=missing)
                         .values_list("pk", "odometer_km"))
        VehicleState.objects.bulk_create(
            [VehicleState(vehicle_id=pk, odometer_km=odometers.get(pk, 0.0)) for pk in missing],
            ignore_conflicts=True)
        states.update(_locked(missing))
    return states


def _fix(vehicle: Vehicle, state: VehicleState, fix: Fix, now: datetime,
         batch: _Batch) -> Outcome:
    if state.fixed_at is not None and fix.ts <= state.fixed_at:
        return Outcome(True, "seen")  # not newer: a redelivery, already applied
    reason = implausible(fix, state, now)
    if reason:
        batch.refused.append(RefusedFix(vehicle=vehicle, fixed_at=fix.ts
                                        if fix.ts.year > 1970 else None, reason=reason))
        return Outcome(False, reason)
    metres = 0.0
    if state.lon is not None and state.lat is not None:
        metres = twin.geodesic_m([state.lon], [state.lat], [fix.lon], [fix.lat])[0]
    speed = fix.speed_kmh or 0.0
    active = fix.ignition if fix.ignition is not None else speed >= conf.moving_kmh()
    trip = state.trip
    if trip is None and active:
        # A trip begins where the vehicle last stood, if it stood there just before.
        began, lon, lat = fix.ts, fix.lon, fix.lat
        if (state.fixed_at is not None and state.lon is not None and state.lat is not None
                and fix.ts - state.fixed_at <= timedelta(minutes=conf.stop_minutes())):
            began, lon, lat = state.fixed_at, state.lon, state.lat
        else:
            metres = 0.0
        trip = Trip.objects.create(vehicle=vehicle, started_at=began, start_lon=lon,
                                   start_lat=lat, distance_m=metres,
                                   fuel_start_l=fuel.current(_memory(state)))
        state.trip = trip
        state.odometer_km += metres / 1000
    elif trip is not None:
        trip.distance_m += metres
        trip.max_speed_kmh = max(trip.max_speed_kmh, speed)
        state.odometer_km += metres / 1000
        stood = fix.ts - (state.active_at or trip.started_at)
        if not active and (fix.ignition is False
                           or stood >= timedelta(minutes=conf.stop_minutes())):
            _close(state, trip, fix, batch)
    if active:
        state.active_at = fix.ts
    batch.positions.append(Position(vehicle=vehicle, ts=fix.ts, lon=fix.lon, lat=fix.lat,
                                    speed_kmh=fix.speed_kmh, heading=fix.heading,
                                    ignition=fix.ignition, trip=state.trip))
    state.fixed_at, state.lon, state.lat = fix.ts, fix.lon, fix.lat
    state.speed_kmh, state.heading, state.ignition = fix.speed_kmh, fix.heading, fix.ignition
    return Outcome(True)


def _close(state: VehicleState, trip: Trip, fix: Fix, batch: _Batch) -> None:
    trip.ended_at = state.active_at or fix.ts
    trip.end_lon, trip.end_lat = fix.lon, fix.lat
    trip.fuel_end_l = fuel.current(_memory(state))
    if trip.distance_m < MIN_TRIP_M and not trip.refuelled_l and not trip.drained_l:
        Position.objects.filter(trip=trip).update(trip=None)
        for position in batch.positions:
            if position.trip is trip:
                position.trip = None
        trip.delete()
        trip.pk = None
    else:
        trip.save()
    state.trip = None


def _memory(state: VehicleState) -> fuel.Memory:
    return fuel.Memory(raw=tuple(state.fuel_raw), medians=tuple(state.fuel_medians),
                       level=state.fuel_level, pending=state.fuel_pending,
                       anchored=state.fuel_anchored)


def _parked(state: VehicleState) -> bool:
    if state.ignition:
        return False
    return (state.speed_kmh or 0.0) < conf.moving_kmh()


def _fuel(vehicle: Vehicle, state: VehicleState, ts: datetime, litres: float,
          batch: _Batch) -> None:
    if state.fuel_at is not None and ts <= state.fuel_at:
        return
    if not 0 <= litres <= vehicle.tank_l * 1.2:
        return  # a sensor fault, not fuel (the iot module has checked the plausible range)
    memory, change = fuel.step(_memory(state), litres, ts, parked=_parked(state),
                               threshold=float(conf.fuel_event_litres()))
    state.fuel_raw, state.fuel_medians = list(memory.raw), list(memory.medians)
    state.fuel_level, state.fuel_pending, state.fuel_at = (memory.level, memory.pending, ts)
    state.fuel_anchored = memory.anchored
    level = fuel.current(memory)
    batch.levels.append(FuelLevel(vehicle=vehicle, ts=ts, raw_l=litres,
                                  level_l=level if level is not None else litres))
    if state.trip is not None:
        state.trip.fuel_end_l = level
    if change is not None:
        _detected(vehicle, state, change)


def _detected(vehicle: Vehicle, state: VehicleState, change: fuel.Change) -> None:
    """A refuel or a drain: a row, the trip's share, and the event (on commit)."""
    FuelEvent.objects.create(vehicle=vehicle, kind=change.kind, at=change.since,
                             litres=change.litres, level_before=change.before,
                             level_after=change.after, lon=state.lon, lat=state.lat)
    if state.trip is not None:
        if change.kind == FuelEvent.Kind.REFUEL:
            state.trip.refuelled_l += change.litres
        else:
            state.trip.drained_l += change.litres
    kind = RefuelDetected if change.kind == FuelEvent.Kind.REFUEL else FuelDrainDetected
    bus.publish(kind(vehicle_id=vehicle.pk, plate=vehicle.plate,
                     department=vehicle.department, litres=change.litres,
                     at=change.since.isoformat(), level_before=round(change.before, 1),
                     level_after=round(change.after, 1), lon=state.lon, lat=state.lat))

