"""The current timetable held in memory for the hot path (every vehicle fix): trips with
their stops and lines in metres, and which services run on a day.

Rebuilt when a new feed is imported (checked at most every few seconds), so an import in one
process reaches the others without a message.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from misto.transit.models import Feed, Service, ServiceException, Stop, StopTime, Trip
from misto.transit.services.geometry import Plane, Polyline

RECHECK_S = 5.0


@dataclass(frozen=True)
class PlannedStop:
    sequence: int
    stop_pk: int
    stop_id: str
    arrival: int
    departure: int
    distance: float


@dataclass
class TripPlan:
    pk: int
    trip_id: str
    route_pk: int
    route_id: str
    route_name: str
    service_id: str
    headsign: str
    block_id: str
    line: Polyline
    stops: list[PlannedStop]

    @property
    def starts(self) -> int:
        return self.stops[0].departure

    @property
    def ends(self) -> int:
        return self.stops[-1].arrival

    def scheduled_at(self, progress: float) -> float:
        """Seconds of the service day at which the timetable has the vehicle ``progress``
        metres along (between a stop's departure and the next one's arrival)."""
        stops = self.stops
        if progress <= stops[0].distance:
            return stops[0].departure
        for a, b in itertools.pairwise(stops):
            if progress <= b.distance:
                span = b.distance - a.distance
                share = (progress - a.distance) / span if span > 0 else 1.0
                return a.departure + share * (b.arrival - a.departure)
        return stops[-1].arrival


@dataclass
class Timetable:
    feed_pk: int
    sha256: str
    tz: ZoneInfo
    plane: Plane
    trips: dict[str, TripPlan]
    weekly: dict[str, list[tuple[str, date, date]]]
    added: dict[date, set[str]]
    removed: dict[date, set[str]]
    stops: dict[int, tuple[str, float, float]] = field(default_factory=dict)
    _active: dict[date, list[TripPlan]] = field(default_factory=dict)
    _at_stop: dict[int, list[tuple[TripPlan, PlannedStop]]] | None = None

    def calls_at(self, stop_pk: int) -> list[tuple[TripPlan, PlannedStop]]:
        """Every trip calling at a stop, with its call, in timetable order."""
        if self._at_stop is None:
            index: dict[int, list[tuple[TripPlan, PlannedStop]]] = defaultdict(list)
            for plan in self.trips.values():
                for call in plan.stops:
                    index[call.stop_pk].append((plan, call))
            for calls in index.values():
                calls.sort(key=lambda pc: pc[1].departure)
            self._at_stop = dict(index)
        return self._at_stop.get(stop_pk, [])

    def runs(self, service_id: str, day: date) -> bool:
        if service_id in self.removed.get(day, ()):
            return False
        if service_id in self.added.get(day, ()):
            return True
        return any(start <= day <= end and days[day.weekday()] == "1"
                   for days, start, end in self.weekly.get(service_id, ()))

    def trips_on(self, day: date) -> list[TripPlan]:
        if day not in self._active:
            if len(self._active) > 8:
                self._active.clear()
            self._active[day] = [t for t in self.trips.values() if self.runs(t.service_id, day)]
        return self._active[day]

    def base(self, day: date) -> datetime:
        """The service day's time zero: noon minus 12 hours, local time (GTFS's rule)."""
        return datetime(day.year, day.month, day.day, 12, tzinfo=self.tz) - timedelta(hours=12)

    def at(self, day: date, seconds: float) -> datetime:
        return self.base(day) + timedelta(seconds=seconds)

    def service_days(self, when: datetime) -> list[date]:
        """The service days a moment may belong to: today, and yesterday's late trips."""
        today = when.astimezone(self.tz).date()
        return [today, today - timedelta(days=1)]


_lock = threading.Lock()
_current: Timetable | None = None
_checked = 0.0


def forget() -> None:
    """Drop the cached timetable (tests, and after an import in this process)."""
    global _current, _checked
    with _lock:
        _current, _checked = None, 0.0


def current() -> Timetable | None:
    """The timetable of the newest feed, or None when there is none."""
    global _current, _checked
    now = time.monotonic()
    if _current is not None and now - _checked < RECHECK_S:
        return _current
    feed = Feed.objects.order_by("-pk").only("pk", "sha256", "timezone").first()
    with _lock:
        _checked = now
        if feed is None:
            _current = None
        elif _current is None or (_current.feed_pk, _current.sha256) != (feed.pk, feed.sha256):
            _current = _load(feed)
        return _current


def _load(feed: Feed) -> Timetable:
    stops = {pk: (stop_id, lon, lat) for pk, stop_id, lon, lat in
             Stop.objects.filter(feed=feed).values_list("pk", "stop_id", "lon", "lat")}
    lat0 = sum(s[2] for s in stops.values()) / max(1, len(stops))
    plane = Plane(lat0)
    times: dict[int, list[PlannedStop]] = defaultdict(list)
    for trip_pk, seq, stop_pk, arr, dep, dist in StopTime.objects.filter(
            trip__feed=feed).order_by("trip_id", "sequence").values_list(
            "trip_id", "sequence", "stop_id", "arrival", "departure", "distance_m"):
        times[trip_pk].append(PlannedStop(seq, stop_pk, stops[stop_pk][0], arr, dep, dist))
    lines: dict[int | None, Polyline] = {}
    patterns: dict[tuple[int, ...], Polyline] = {}
    trips: dict[str, TripPlan] = {}
    for trip in Trip.objects.filter(feed=feed).select_related("route", "shape"):
        planned = times.get(trip.pk, [])
        if len(planned) < 2:
            continue
        if trip.shape_id is not None:
            if trip.shape_id not in lines:
                assert trip.shape is not None
                lines[trip.shape_id] = Polyline.of(plane, trip.shape.points)
            line = lines[trip.shape_id]
        else:  # trips calling at the same stops share one line (and one projection)
            pattern = tuple(s.stop_pk for s in planned)
            if pattern not in patterns:
                patterns[pattern] = Polyline.of(plane, [stops[pk][1:] for pk in pattern])
            line = patterns[pattern]
        trips[trip.trip_id] = TripPlan(trip.pk, trip.trip_id, trip.route_id,
                                       trip.route.route_id, trip.route.label, trip.service_id,
                                       trip.headsign, trip.block_id, line, planned)
    weekly: dict[str, list[tuple[str, date, date]]] = defaultdict(list)
    for service in Service.objects.filter(feed=feed):
        weekly[service.service_id].append((service.days, service.start_date, service.end_date))
    added: dict[date, set[str]] = defaultdict(set)
    removed: dict[date, set[str]] = defaultdict(set)
    for exception in ServiceException.objects.filter(feed=feed):
        (added if exception.exception_type == 1 else removed)[exception.date].add(
            exception.service_id)
    return Timetable(feed.pk, feed.sha256, ZoneInfo(feed.timezone), plane, trips, dict(weekly),
                     dict(added), dict(removed), stops)
