"""``misto simulate transit``: the demo feed's vehicles driven along their lines in real time.

Each vehicle takes a running trip of its line and moves where its timetable puts it, shifted
by its own delay, which wanders (a random walk, line 3 drifting late), and dwells at stops;
at each stop some passengers alight and some board (line 1 at rush hour fills up, so the
dispatcher sees an overloaded route). Positions go out as a tracker sends them: to the
ingest service in this process, with ``--site`` to a running Misto over Traccar/OsmAnd
HTTP with the demo trackers' keys, or with ``--mqtt`` over the IoT platform: each bus's
tracker and passenger counter publish to the broker as themselves (the core's
``readings.send_as_demo``, served by the iot module), and the iot consumer hands the
readings back to transit (``services.onboard``). Nothing is computed for the pages: they
show what the ingest, matching and prediction made of these positions.
"""

from __future__ import annotations

import random
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from misto.core import readings
from misto.transit.models import OnboardDevice, Vehicle
from misto.transit.services import onboard, positions
from misto.transit.services.timetable import Timetable, TripPlan

BUSY_ROUTE = "1"
SLOW_ROUTE = "3"


@dataclass
class BusSim:
    vehicle: Vehicle
    route_id: str
    rng: random.Random
    plan: TripPlan | None = None
    day: date | None = None
    delay: float = 0.0
    passengers: int = 0
    passed: int = 0  # index of the last stop passed on this trip
    counted: tuple[int, int] = (0, 0)
    announced: bool = False  # the counter's total sent once per trip, then boardings
    terminal: str = ""  # where its last trip ended: its next trip leaves from there
    done: set[tuple[str, date]] = field(default_factory=set)


def _where(plan: TripPlan, seconds: float) -> tuple[float, int, bool]:
    """(progress in metres, index of the last stop reached, finished) at ``seconds`` of the
    service day on the timetable."""
    stops = plan.stops
    if seconds <= stops[0].departure:
        return stops[0].distance, 0, False
    for i in range(len(stops) - 1):
        a, b = stops[i], stops[i + 1]
        if seconds <= a.departure:
            return a.distance, i, False
        if seconds < b.arrival:
            share = (seconds - a.departure) / max(1, b.arrival - a.departure)
            return a.distance + share * (b.distance - a.distance), i, False
    return stops[-1].distance, len(stops) - 1, True


class Simulation:
    def __init__(self, tt: Timetable, vehicles: list[Vehicle], seed: int = 1) -> None:
        self.tt = tt
        self.sims = [BusSim(v, v.code.removeprefix("bus-")[:-2] or "1",
                            random.Random(f"{seed}:{v.code}")) for v in vehicles]

    def _next_from_terminal(self, sim: BusSim, now: datetime,
                            taken: set[tuple[str, date]]) -> tuple[TripPlan, date] | None:
        """The next trip of its line leaving from where its last one ended."""
        best: tuple[float, TripPlan, date] | None = None
        for day in self.tt.service_days(now):
            seconds = (now - self.tt.base(day)).total_seconds()
            for plan in self.tt.trips_on(day):
                if (plan.route_id != sim.route_id or plan.stops[0].stop_id != sim.terminal
                        or (plan.trip_id, day) in taken or (plan.trip_id, day) in sim.done
                        or not seconds - 120 <= plan.starts <= seconds + 3600):
                    continue
                if best is None or plan.starts < best[0]:
                    best = (plan.starts, plan, day)
        return (best[1], best[2]) if best else None

    def _assign(self, sim: BusSim, now: datetime) -> None:
        taken = {(s.plan.trip_id, s.day) for s in self.sims
                 if s.plan is not None and s.day is not None}
        if sim.terminal:
            following = self._next_from_terminal(sim, now, taken)
            if following is not None:
                sim.plan, sim.day = following
                sim.passed, sim.announced = 0, False
                sim.passengers = sim.rng.randint(3, 25)
                return
        best: tuple[float, TripPlan, date] | None = None
        for day in self.tt.service_days(now):
            seconds = (now - self.tt.base(day)).total_seconds()
            for plan in self.tt.trips_on(day):
                key = (plan.trip_id, day)
                if plan.route_id != sim.route_id or key in taken or key in sim.done:
                    continue
                if not plan.starts - 600 <= seconds <= plan.ends - 120:
                    continue
                # Spread the fleet: prefer trips that have run furthest (one per headway).
                score = -(seconds - plan.starts)
                if best is None or score < best[0]:
                    best = (score, plan, day)
        if best is not None:
            sim.plan, sim.day = best[1], best[2]
            sim.delay = sim.rng.uniform(-30, 120)
            seconds = (now - self.tt.base(sim.day)).total_seconds() - sim.delay
            sim.passed = _where(sim.plan, seconds)[1]
            sim.passengers = sim.rng.randint(3, 25)
            sim.announced = False

    def _people(self, sim: BusSim, now: datetime, stops: int) -> None:
        hour = now.astimezone(self.tt.tz).hour
        rush = 7 <= hour < 10 or 16 <= hour < 19
        board_mean = (14 if sim.route_id == BUSY_ROUTE else 5) * (1.6 if rush else 1.0)
        boarded = alighted = 0
        for _ in range(stops):
            out = sum(sim.rng.random() < 0.18 for _ in range(sim.passengers))
            came = max(0, round(sim.rng.gauss(board_mean, board_mean / 3)))
            came = min(came, sim.vehicle.capacity - (sim.passengers - out))
            sim.passengers += came - out
            boarded, alighted = boarded + came, alighted + out
        sim.counted = (boarded, alighted)

    def step(self, now: datetime) -> list[tuple[Vehicle, positions.Fix]]:
        """Where every vehicle is at ``now``: the fixes to send."""
        fixes = []
        for sim in self.sims:
            if sim.plan is None:
                self._assign(sim, now)
                if sim.plan is None:
                    continue
            assert sim.plan is not None and sim.day is not None
            sim.delay = min(900.0, max(-90.0, sim.delay + sim.rng.gauss(
                1.5 if sim.route_id == SLOW_ROUTE else 0.2, 4)))
            seconds = (now - self.tt.base(sim.day)).total_seconds() - sim.delay
            progress, reached, finished = _where(sim.plan, seconds)
            if finished:
                sim.done.add((sim.plan.trip_id, sim.day))
                sim.terminal = sim.plan.stops[-1].stop_id
                sim.plan = None
                continue
            sim.counted = (0, 0)
            if reached > sim.passed:
                self._people(sim, now, reached - sim.passed)
                sim.passed = reached
            lon, lat = sim.plan.line.point_at(self.tt.plane, progress)
            noise = 4 / 111_320
            fixes.append((sim.vehicle, positions.Fix(
                lon=round(lon + sim.rng.gauss(0, noise), 6),
                lat=round(lat + sim.rng.gauss(0, noise), 6), fixed_at=now,
                speed=round(20 / 3.6 * sim.rng.uniform(0.6, 1.3), 1),
                bearing=round(sim.plan.line.bearing_at(progress)),
                passengers=None if sim.announced else sim.passengers,
                boarded=sim.counted[0] if sim.announced else 0,
                alighted=sim.counted[1] if sim.announced else 0)))
            sim.announced = True
        return fixes


def osmand_sender(site: str, key: Callable[[str], str]) -> Callable[[Vehicle, positions.Fix],
                                                                    str]:
    """Post a fix to a running Misto as a Traccar/OsmAnd tracker would."""
    def send(vehicle: Vehicle, fix: positions.Fix) -> str:
        params = {"id": vehicle.code, "key": key(vehicle.code), "lat": fix.lat,
                  "lon": fix.lon, "timestamp": int(fix.fixed_at.timestamp()),
                  "speed": round((fix.speed or 0) / 0.514444, 2),
                  "bearing": fix.bearing or 0, "in": fix.boarded, "out": fix.alighted}
        if fix.passengers is not None:
            params["passengers"] = fix.passengers
        body = urllib.parse.urlencode(params).encode()
        request = urllib.request.Request(site.rstrip("/") + "/transit/osmand", data=body,
                                         method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.read().decode()[:100]
    return send


def mqtt_sender() -> Callable[[Vehicle, positions.Fix], str]:
    """Publish a fix as the bus's tracker would, and the counts as its passenger counter,
    over the IoT platform's MQTT (``readings.send_as_demo``; raises
    ``readings.DeviceChannelError``). "OK" once the broker took them: what transit makes of
    them shows on the dispatch page (refused positions), as for any tracker."""
    codes: dict[tuple[int, str], str] = {
        (vehicle_id, kind): code for vehicle_id, kind, code in
        OnboardDevice.objects.filter(kind__in=[OnboardDevice.Kind.TRACKER,
                                               OnboardDevice.Kind.COUNTER])
        .order_by("pk").values_list("vehicle_id", "kind", "code")}

    def send(vehicle: Vehicle, fix: positions.Fix) -> str:
        tracker = codes.get((vehicle.pk, OnboardDevice.Kind.TRACKER))
        if tracker is None:
            return "no tracker"
        samples = [readings.Sample(tracker, onboard.TRACKER_MODEL, fix.fixed_at, {
            "latitude": fix.lat, "longitude": fix.lon,
            "speed": round((fix.speed or 0) * 3.6, 1), "heading": fix.bearing or 0})]
        counter = codes.get((vehicle.pk, OnboardDevice.Kind.COUNTER))
        counts: dict[str, float] = {}
        if fix.passengers is not None:
            counts["passengersOnBoard"] = fix.passengers
        if fix.boarded or fix.alighted:
            counts.update({"passengersIn": fix.boarded, "passengersOut": fix.alighted})
        if counter is not None and counts:
            samples.append(readings.Sample(counter, onboard.COUNTER_MODEL, fix.fixed_at,
                                           counts))
        readings.send_as_demo(samples)
        return "OK"
    return send


def direct_sender(vehicle: Vehicle, fix: positions.Fix) -> str:
    outcome = positions.record(vehicle, fix)
    return "OK" if outcome.accepted else f"dead letter: {outcome.reason}"


__all__ = ["BusSim", "Simulation", "direct_sender", "mqtt_sender", "osmand_sender"]
