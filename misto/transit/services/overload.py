"""Overloaded routes: a route whose live vehicles' mean load has stayed at or over
``MISTO_TRANSIT_OVERLOAD_PERCENT`` of their capacity for ``MISTO_TRANSIT_OVERLOAD_MINUTES``
raises ``transit.RouteOverloaded`` for the situational centre, once per episode; coming back
under the threshold clears it (the same event with ``cleared`` true)."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from misto.core import bus
from misto.transit import conf
from misto.transit.events import RouteOverloaded
from misto.transit.models import RouteLoad, VehicleState
from misto.transit.services import timetable


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
                            bool(watch and watch.raised)))
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
