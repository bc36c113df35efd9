"""Overloaded routes: a route whose live vehicles' mean load has stayed at or over
``MISTO_TRANSIT_OVERLOAD_PERCENT`` of their capacity for ``MISTO_TRANSIT_OVERLOAD_MINUTES``
raises ``transit.RouteOverloaded`` for the situational centre, once per episode; coming back
under the threshold clears it (the same event with ``cleared`` true)."""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from misto.core import bus
from misto.transit import conf
from misto.transit.events import RouteOverloaded
from misto.transit.models import Prediction, RouteLoad, Vehicle, VehicleState
from misto.transit.services import timetable

BUNCHED_SHARE = 0.5
BUNCHED_MIN_S = 120


@dataclass(frozen=True)
class Gap:
    """Two vehicles one behind the other on a route: the time between them at the leader's
    next stop, predicted, and what the timetable has."""

    leader: str
    follower: str
    headway_s: int
    scheduled_s: int

    @property
    def bunched(self) -> bool:
        return self.headway_s < max(BUNCHED_MIN_S, BUNCHED_SHARE * self.scheduled_s)


@dataclass(frozen=True)
class RouteNow:
    route_id: str
    route: str
    vehicles: int
    counted: int
    percent: int | None
    mean_delay_s: int | None
    over_since: datetime | None
    raised: bool
    gaps: tuple[Gap, ...] = ()

    @property
    def bunched(self) -> int:
        return sum(g.bunched for g in self.gaps)

    @property
    def shortest_headway_s(self) -> int | None:
        return min((g.headway_s for g in self.gaps), default=None)


def gaps(states: list[VehicleState]) -> dict[str, list[Gap]]:
    """Per route, consecutive vehicles on the same line: a vehicle's follower is the next one
    behind it on that line; bunched when the follower arrives at the leader's next stop
    sooner after it than half the timetable's headway (and under two minutes at least)."""
    tt = timetable.current()
    if tt is None:
        return {}
    lines: dict[tuple[str, int], list[VehicleState]] = defaultdict(list)
    for state in states:
        plan = tt.trips.get(state.trip_id)
        if plan is not None and state.progress_m is not None:
            lines[(plan.route_id, id(plan.line))].append(state)
    wanted = [s.vehicle_id for group in lines.values() if len(group) > 1 for s in group]
    ahead: dict[int, list[tuple[int, datetime, datetime]]] = defaultdict(list)
    for vehicle_pk, stop_pk, predicted, scheduled in Prediction.objects.filter(
            vehicle_id__in=wanted).order_by("vehicle_id", "sequence").values_list(
            "vehicle_id", "stop_id", "predicted", "scheduled"):
        ahead[vehicle_pk].append((stop_pk, predicted, scheduled))
    out: dict[str, list[Gap]] = defaultdict(list)
    for (route_id, _line), group in lines.items():
        group.sort(key=lambda s: s.progress_m or 0.0, reverse=True)
        for leader, follower in itertools.pairwise(group):
            if not ahead.get(leader.vehicle_id):
                continue
            stop_pk, led_at, led_scheduled = ahead[leader.vehicle_id][0]
            same = [(p, s) for pk, p, s in ahead.get(follower.vehicle_id, []) if pk == stop_pk]
            if not same:
                continue
            follows_at, follows_scheduled = same[0]
            out[route_id].append(Gap(
                leader.vehicle.code, follower.vehicle.code,
                round((follows_at - led_at).total_seconds()),
                round((follows_scheduled - led_scheduled).total_seconds())))
    return out


def routes_now(now: datetime | None = None) -> list[RouteNow]:
    """Each route with live vehicles: how many, how full on average, how late."""
    now = now or timezone.now()
    since = now - timedelta(seconds=conf.stale_seconds())
    tt = timetable.current()
    names = {p.route_id: p.route_name for p in tt.trips.values()} if tt else {}
    groups: dict[str, list[VehicleState]] = defaultdict(list)
    for state in VehicleState.objects.filter(fixed_at__gte=since).exclude(route_id="") \
            .select_related("vehicle"):
        groups[state.route_id].append(state)
    loads = {r.route_id: r for r in RouteLoad.objects.all()}
    spacing = gaps([s for group in groups.values() for s in group])
    out = []
    for route_id, states in sorted(groups.items()):
        shares = [100 * s.passengers / max(1, s.vehicle.capacity, s.vehicle.seats)
                  for s in states if s.passengers is not None]
        delays = [s.delay_s for s in states if s.delay_s is not None]
        watch = loads.get(route_id)
        out.append(RouteNow(route_id, names.get(route_id, route_id), len(states), len(shares),
                            math.floor(sum(shares) / len(shares) + 0.5) if shares else None,
                            round(sum(delays) / len(delays)) if delays else None,
                            watch.over_since if watch else None,
                            bool(watch and watch.raised), tuple(spacing.get(route_id, ()))))
    return out


def watch(now: datetime | None = None) -> list[RouteOverloaded]:
    """One pass of the overload watch; the events it published."""
    now = now or timezone.now()
    threshold, minutes = conf.overload_percent(), conf.overload_minutes()
    published: list[RouteOverloaded] = []
    current = {r.route_id: r for r in routes_now(now)}
    with transaction.atomic():
        watches = {w.route_id: w for w in RouteLoad.objects.select_for_update()}
        for route_id in set(current) | set(watches):
            route = current.get(route_id)
            row = watches.get(route_id) or RouteLoad(route_id=route_id)
            over = route is not None and route.percent is not None and route.percent >= threshold
            if over:
                assert route is not None and route.percent is not None
                row.percent = min(route.percent, 32767)
                row.over_since = row.over_since or now
                if not row.raised and now - row.over_since >= timedelta(minutes=minutes):
                    row.raised = True
                    published.append(_event(route, row, cleared=False))
            else:
                if row.raised:
                    published.append(_event(route, row, cleared=True, route_id=route_id))
                row.over_since, row.raised = None, False
                if route is not None and route.percent is not None:
                    row.percent = route.percent
            row.save()
        for event in published:
            bus.publish(event)
    return published


def _event(route: RouteNow | None, row: RouteLoad, *, cleared: bool,
           route_id: str = "") -> RouteOverloaded:
    where = _middle(route.route_id if route else route_id)
    return RouteOverloaded(
        route_id=route.route_id if route else route_id,
        route_name=route.route if route else route_id,
        occupancy_percent=route.percent or 0 if route else row.percent,
        vehicles=route.vehicles if route else 0,
        since=(row.over_since or timezone.now()).isoformat(), cleared=cleared,
        lon=where[0] if where else None, lat=where[1] if where else None)


def _middle(route_id: str) -> tuple[float, float] | None:
    """Where the route's live vehicles are on average (for the centre's map)."""
    states = list(VehicleState.objects.filter(route_id=route_id).values_list("lon", "lat"))
    if not states:
        return None
    return (round(sum(s[0] for s in states) / len(states), 6),
            round(sum(s[1] for s in states) / len(states), 6))


@dataclass(frozen=True)
class Coverage:
    """The strategy's KPIs (5.3.1 #1 and #6): vehicles with GPS, and the share of the fleet
    in service on the live map now (heard from within the stale limit)."""

    vehicles: int
    with_gps: int
    on_map: int

    @property
    def share_on_map(self) -> float | None:
        return round(self.on_map / self.vehicles, 4) if self.vehicles else None


def coverage(now: datetime | None = None) -> Coverage:
    now = now or timezone.now()
    active = VehicleState.objects.filter(vehicle__active=True)
    return Coverage(
        vehicles=Vehicle.objects.filter(active=True).count(),
        with_gps=active.count(),
        on_map=active.filter(fixed_at__gte=now - timedelta(seconds=conf.stale_seconds()))
        .count())
