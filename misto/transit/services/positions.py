"""Vehicle positions in: check a fix, dead-letter the implausible ones with the reason, and
for the rest move the vehicle, match it to its trip, note the stops it passed and predict its
arrivals downstream (``services.predictions``).

The flow only goes downward: tracker -> ``check_fix`` -> ``do_record`` -> state, visits,
predictions. One fix costs a handful of queries, whatever the size of the timetable: the
timetable is matched in memory (``services.timetable``).
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from misto import twin
from misto.transit import conf
from misto.transit.errors import TransitCode, TransitError
from misto.transit.models import DeadFix, StopVisit, Vehicle, VehicleState
from misto.transit.services import flows, predictions, timetable
from misto.transit.services.geometry import metres
from misto.transit.services.timetable import Timetable, TripPlan

MAX_OFF_ROUTE_M = 60.0
FUTURE_S = 30
TOO_OLD = timedelta(hours=24)
EXTENT_MARGIN_DEG = 0.03  # about 2-3 km around the city's districts
COUNTER_S = 600  # a counter heard from this recently counts the vehicle's boardings


@dataclass(frozen=True)
class Fix:
    """A position as a tracker sent it, parsed."""

    lon: float
    lat: float
    fixed_at: datetime
    speed: float | None = None  # m/s
    bearing: float | None = None
    trip_id: str = ""
    passengers: int | None = None
    boarded: int = 0
    alighted: int = 0


@dataclass(frozen=True)
class Outcome:
    accepted: bool
    reason: str = ""
    trip_id: str = ""
    delay_s: int | None = None


# --- Trackers --------------------------------------------------------------------------


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(vehicle: Vehicle) -> str:
    """A new key for the vehicle's tracker; only its digest is kept, so show it once."""
    token = secrets.token_urlsafe(24)
    vehicle.token_hash = token_digest(token)
    vehicle.save(update_fields=["token_hash"])
    return token


def tracker(code: str, token: str) -> Vehicle:
    """The active vehicle whose tracker this is; the same refusal for a wrong key and an
    unknown vehicle."""
    vehicle = Vehicle.objects.filter(code=code, active=True).first() if code else None
    if vehicle is None or not token or not vehicle.token_hash or not secrets.compare_digest(
            vehicle.token_hash, token_digest(token)):
        raise TransitError(TransitCode.UNKNOWN_TRACKER,
                           "Unknown tracker or wrong key.")
    return vehicle


# --- Checking --------------------------------------------------------------------------

def _city_box() -> tuple[float, float, float, float] | None:
    return twin.city_box()  # a seam for the benchmark, whose city is synthetic


def implausible(vehicle: Vehicle, fix: Fix, state: VehicleState | None,
                now: datetime) -> str:
    """Why a fix cannot be true ("" when it can): a ``DeadFix.Reason``."""
    if not (-90 <= fix.lat <= 90 and -180 <= fix.lon <= 180) or (fix.lat == 0 and fix.lon == 0):
        return DeadFix.Reason.BAD_COORDINATES
    box = _city_box()
    if box is not None:
        west, south, east, north = box
        m = EXTENT_MARGIN_DEG
        if not (west - m <= fix.lon <= east + m and south - m <= fix.lat <= north + m):
            return DeadFix.Reason.OUTSIDE_CITY
    if fix.fixed_at > now + timedelta(seconds=FUTURE_S):
        return DeadFix.Reason.FUTURE
    if fix.fixed_at < now - TOO_OLD:
        return DeadFix.Reason.TOO_OLD
    if state is not None:
        if fix.fixed_at <= state.fixed_at:
            return DeadFix.Reason.OUT_OF_ORDER
        seconds = max(1.0, (fix.fixed_at - state.fixed_at).total_seconds())
        if metres(state.lon, state.lat, fix.lon, fix.lat) / seconds * 3.6 > conf.max_speed_kmh():
            return DeadFix.Reason.JUMP
    return ""


# --- Matching --------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    plan: TripPlan
    day: date
    progress: float
    delay: float


def _on(plan: TripPlan, tt: Timetable, day: date, x: float, y: float, when: datetime,
        after: float = -math.inf,
        seen: dict[int, tuple[float, float]] | None = None) -> Match | None:
    if seen is not None:  # many trips share a line: project on it once
        key = id(plan.line)
        if key not in seen:
            seen[key] = plan.line.project(x, y, after=after)
        progress, off = seen[key]
    else:
        progress, off = plan.line.project(x, y, after=after)
    if off > MAX_OFF_ROUTE_M:
        return None
    seconds = (when - tt.base(day)).total_seconds()
    return Match(plan, day, progress, seconds - plan.scheduled_at(progress))


def match(tt: Timetable, fix: Fix, state: VehicleState | None) -> Match | None:
    """The trip the vehicle runs: the one it ran if it still fits (ahead on its line, not
    finished), the one the tracker names, or else the running trip whose timetable is closest
    to where the vehicle is now."""
    x, y = tt.plane.xy(fix.lon, fix.lat)
    if state is not None and state.trip_id and state.service_date and state.progress_m is not None:
        plan = tt.trips.get(state.trip_id)
        if plan is not None and state.progress_m < plan.stops[-1].distance - 15:
            found = _on(plan, tt, state.service_date, x, y, fix.fixed_at,
                        after=state.progress_m - 50)
            if found is not None:
                return found
    days = tt.service_days(fix.fixed_at)
    if fix.trip_id and fix.trip_id in tt.trips:
        plan = tt.trips[fix.trip_id]
        options = [m for d in days if tt.runs(plan.service_id, d)
                   for m in [_on(plan, tt, d, x, y, fix.fixed_at)] if m is not None]
        if options:
            return min(options, key=lambda m: abs(m.delay))
    best: Match | None = None
    seen: dict[int, tuple[float, float]] = {}
    finished = (state.trip_id, state.service_date) if state is not None else None
    # A trip another vehicle is running (heard from lately) is not this one's.
    others = VehicleState.objects.filter(
        fixed_at__gte=fix.fixed_at - timedelta(seconds=conf.stale_seconds())).exclude(
        trip_id="")
    if state is not None and state.vehicle_id is not None:
        others = others.exclude(vehicle_id=state.vehicle_id)
    taken = set(others.values_list("trip_id", "service_date"))
    for day in days:
        seconds = (fix.fixed_at - tt.base(day)).total_seconds()
        for plan in tt.trips_on(day):
            if not plan.starts - 900 <= seconds <= plan.ends + 1800:
                continue
            if finished == (plan.trip_id, day) or (plan.trip_id, day) in taken:
                continue
            found = _on(plan, tt, day, x, y, fix.fixed_at, seen=seen)
            if found is None or found.progress >= plan.stops[-1].distance - 15:
                continue
            if best is None or abs(found.delay) < abs(best.delay):
                best = found
    return best if best is not None and abs(best.delay) < 3600 else None


# --- Recording -------------------------------------------------------------------------


def dead_letter(vehicle: Vehicle, fix: Fix | None, reason: str) -> Outcome:
    DeadFix.objects.create(vehicle_code=vehicle.code, reason=reason,
                           fixed_at=fix.fixed_at if fix else None,
                           lon=fix.lon if fix and math.isfinite(fix.lon) else None,
                           lat=fix.lat if fix and math.isfinite(fix.lat) else None)
    return Outcome(False, reason)


def record(vehicle: Vehicle, fix: Fix, *, now: datetime | None = None) -> Outcome:
    """Check one fix and record it (or dead-letter it with the reason)."""
    now = now or timezone.now()
    with transaction.atomic():
        state = VehicleState.objects.select_for_update().filter(vehicle=vehicle).first()
        reason = implausible(vehicle, fix, state, now)
        if reason:
            return dead_letter(vehicle, fix, reason)
        return _do_record(vehicle, fix, state, now)


def _do_record(vehicle: Vehicle, fix: Fix, state: VehicleState | None,
               now: datetime) -> Outcome:
    previous = (state.trip_id, state.service_date, state.progress_m, state.fixed_at) \
        if state is not None else None
    if state is None:
        state = VehicleState(vehicle=vehicle, fixed_at=fix.fixed_at, lon=fix.lon, lat=fix.lat)
    if fix.passengers is not None or fix.boarded or fix.alighted:
        _load(state, fix.fixed_at, fix.passengers, fix.boarded, fix.alighted)
        state.counter_at = fix.fixed_at
    state.fixed_at, state.lon, state.lat = fix.fixed_at, fix.lon, fix.lat
    state.speed, state.bearing = fix.speed, fix.bearing
    tt = timetable.current()
    found = match(tt, fix, state if previous and previous[0] else None) if tt else None
    if tt is None or found is None:
        state.trip_id = state.route_id = ""
        state.service_date = state.progress_m = state.delay_s = state.next_sequence = None
        state.last_sequence = state.last_stop_at = None
        state.save()
        predictions.clear(vehicle)
        return Outcome(True)
    plan = found.plan
    same_trip = previous is not None and (previous[0], previous[1]) == (plan.trip_id, found.day)
    if not same_trip:
        state.last_sequence = state.last_stop_at = None
    if state.bearing is None:
        state.bearing = round(plan.line.bearing_at(found.progress))
    if same_trip and previous is not None and previous[2] is not None:
        _passed(tt, vehicle, state, plan, found.day, previous[2], previous[3], found.progress,
                fix.fixed_at)
    downstream = [s for s in plan.stops if s.distance > found.progress + 15]
    state.trip_id, state.route_id, state.service_date = plan.trip_id, plan.route_id, found.day
    state.progress_m = round(found.progress, 1)
    state.delay_s = round(found.delay)
    state.next_sequence = downstream[0].sequence if downstream else None
    state.save()
    flows.count(tt, plan, found.day, state.last_sequence, fix.fixed_at, fix.boarded,
                fix.alighted)
    predictions.predict(tt, vehicle, plan, found.day, found.progress, fix.fixed_at, downstream,
                        state)
    return Outcome(True, trip_id=plan.trip_id, delay_s=state.delay_s)


def _load(state: VehicleState, at: datetime, passengers: int | None, boarded: int,
          alighted: int) -> None:
    """The people on board after a count: the counter's total when it sends one, else the
    last total plus who boarded minus who alighted."""
    if passengers is not None:
        total = max(0, passengers)
    else:
        total = max(0, (state.passengers or 0) + boarded - alighted)
    if total != state.passengers or passengers is not None:
        state.counted_at = at
    state.passengers = min(total, 32767)


def do_count(vehicle: Vehicle, at: datetime, *, passengers: int | None = None,
             boarded: int = 0, alighted: int = 0, counter: bool = True) -> bool:
    """People counted on board without a position: a passenger counter's report
    (``counter``), or a validation (one boarding, not a counter). The load changes, and the
    boardings and alightings go to the stop the vehicle last reached on its trip, as a fix's
    counts do. A validation on a vehicle whose counter reported within ``COUNTER_S``
    changes nothing: the counter saw that passenger board. False when nothing changed (the
    vehicle never heard from, or its counter counts)."""
    with transaction.atomic():
        state = VehicleState.objects.select_for_update().filter(vehicle=vehicle).first()
        if state is None:
            return False
        if not counter and state.counter_at is not None and \
                at - state.counter_at < timedelta(seconds=COUNTER_S):
            return False  # the vehicle's counter counts this passenger already
        _load(state, at, passengers, boarded, alighted)
        if counter:
            state.counter_at = max(at, state.counter_at) if state.counter_at else at
        state.save(update_fields=["passengers", "counted_at", "counter_at"])
        tt = timetable.current()
        plan = tt.trips.get(state.trip_id) if tt is not None and state.trip_id else None
        live = abs((at - state.fixed_at).total_seconds()) <= conf.stale_seconds()
        if tt is not None and plan is not None and state.service_date is not None and live:
            flows.count(tt, plan, state.service_date, state.last_sequence, at, boarded,
                        alighted)
        return True


def _passed(tt: Timetable, vehicle: Vehicle, state: VehicleState, plan: TripPlan, day: date,
            p0: float, t0: datetime, p1: float, t1: datetime) -> None:
    """The stops between the last fix and this one: when the vehicle reached each (linear
    between the two fixes), for the accuracy record and the segment running times."""
    if p1 <= p0:
        return
    visits = []
    for index, stop in enumerate(plan.stops):
        if index == 0:
            if p0 <= stop.distance + 15 < p1:  # left the first stop: a segment starts
                share = (stop.distance + 15 - p0) / (p1 - p0)
                state.last_sequence, state.last_stop_at = stop.sequence, t0 + (t1 - t0) * share
            continue
        if not p0 < stop.distance <= p1 + 15:
            continue
        share = min(1.0, (stop.distance - p0) / (p1 - p0))
        arrived = t0 + (t1 - t0) * share
        visits.append(StopVisit(trip_id=plan.trip_id, route_id=plan.route_id,
                                stop_id=stop.stop_id, service_date=day,
                                sequence=stop.sequence, vehicle_code=vehicle.code,
                                arrived_at=arrived, scheduled=tt.at(day, stop.arrival)))
        before = plan.stops[index - 1]
        if state.last_sequence == before.sequence and state.last_stop_at is not None:
            predictions.learn_segment(before.stop_id, stop.stop_id,
                                      arrived.astimezone(tt.tz).hour,
                                      (arrived - state.last_stop_at).total_seconds())
        state.last_sequence, state.last_stop_at = stop.sequence, arrived
    if visits:
        StopVisit.objects.bulk_create(visits, ignore_conflicts=True)
        predictions.resolve(plan.trip_id, day, {v.sequence: v.arrived_at for v in visits})
