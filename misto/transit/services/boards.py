"""What a stop shows: the next arrivals, live where a vehicle is on its way (with its free
seats) and from the timetable otherwise, each marked as which it is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from misto.transit import conf
from misto.transit.errors import TransitCode, TransitError
from misto.transit.models import Prediction, Stop, VehicleState
from misto.transit.services import timetable
from misto.transit.services.feeds import current_feed
from misto.transit.services.occupancy import Load, load

HORIZON = timedelta(minutes=90)


@dataclass(frozen=True)
class Arrival:
    route_id: str
    route: str
    headsign: str
    trip_id: str
    service_date: str
    sequence: int
    scheduled: datetime
    predicted: datetime | None
    vehicle: str
    load: Load | None
    last_stop: bool

    @property
    def live(self) -> bool:
        return self.predicted is not None

    @property
    def expected(self) -> datetime:
        return self.predicted or self.scheduled

    @property
    def delay_s(self) -> int | None:
        if self.predicted is None:
            return None
        return round((self.predicted - self.scheduled).total_seconds())

    def minutes(self, now: datetime) -> int:
        return max(0, int((self.expected - now).total_seconds() // 60))


def access_stop(code: str) -> Stop:
    """The current timetable's stop by its public code (or its GTFS id)."""
    feed = current_feed()
    stop = (Stop.objects.filter(feed=feed, code=code).first()
            or Stop.objects.filter(feed=feed, stop_id=code).first()) if code else None
    if stop is None:
        raise TransitError(TransitCode.NOT_FOUND, "There is no such stop.")
    return stop


def arrivals(stop: Stop, *, now: datetime | None = None, limit: int = 12,
             horizon: timedelta = HORIZON) -> list[Arrival]:
    """The next arrivals at ``stop``: live predictions from vehicles heard from lately, then
    the timetable for the trips no live vehicle covers."""
    now = now or timezone.now()
    tt = timetable.current()
    if tt is None:
        return []
    fresh = now - timedelta(seconds=conf.stale_seconds())
    live: dict[tuple[str, str], Arrival] = {}
    rows = Prediction.objects.filter(
        stop=stop, predicted__gte=now - timedelta(minutes=1), predicted__lte=now + horizon,
        vehicle__state__fixed_at__gte=fresh,
    ).select_related("vehicle", "vehicle__state", "trip")
    for p in rows:
        plan = tt.trips.get(p.trip.trip_id)
        if plan is None:
            continue
        state = p.vehicle.state
        live[(plan.trip_id, p.service_date.isoformat())] = Arrival(
            plan.route_id, plan.route_name, plan.headsign, plan.trip_id,
            p.service_date.isoformat(), p.sequence, p.scheduled, p.predicted, p.vehicle.code,
            load(state.passengers, p.vehicle.seats, p.vehicle.capacity),
            p.sequence == plan.stops[-1].sequence)
    out = list(live.values())
    for day in tt.service_days(now):
        start = (now - tt.base(day)).total_seconds() - 60
        end = start + horizon.total_seconds() + 60
        for plan, call in tt.calls_at(stop.pk):
            if not start <= call.departure <= end or not tt.runs(plan.service_id, day):
                continue
            if (plan.trip_id, day.isoformat()) in live:
                continue
            out.append(Arrival(plan.route_id, plan.route_name, plan.headsign, plan.trip_id,
                               day.isoformat(), call.sequence, tt.at(day, call.arrival), None,
                               "", None, call is plan.stops[-1]))
    out = [a for a in out if not a.last_stop]
    out.sort(key=lambda a: a.expected)
    return out[:limit]


def stale(now: datetime | None = None) -> bool:
    """Whether the live feed has gone quiet (no vehicle heard from lately)."""
    now = now or timezone.now()
    return not VehicleState.objects.filter(
        fixed_at__gte=now - timedelta(seconds=conf.stale_seconds())).exists()


def last_update() -> datetime | None:
    """When a vehicle was last heard from."""
    return VehicleState.objects.order_by("-fixed_at").values_list("fixed_at", flat=True).first()
