"""Open to anyone: stops and their next arrivals (live and scheduled, with free seats), the
live vehicles, the routes, the measured accuracy of the predictions, the service alerts."""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field as NField
from ninja import Query, Router, Schema

from misto.core.schemas import refusals
from misto.transit import conf
from misto.transit.api import convert
from misto.transit.api.schemas import (
    AccuracyOut,
    BoardOut,
    CoverageOut,
    FlowFilter,
    FlowOut,
    StopCode,
    StopOut,
    TransitRouteOut,
    VehicleOut,
)
from misto.transit.models import Route, Stop, VehicleState
from misto.transit.services import boards, flows, overload, predictions
from misto.transit.services.feeds import current_feed

router = Router(tags=["transit"])


class StopFilter(Schema):
    q: str = NField("", max_length=100, description="part of the name or the code")
    limit: int = NField(100, ge=1, le=2000)


class AccuracyFilter(Schema):
    days: int = NField(7, ge=1, le=90, description="the last N service days")
    route_id: str = NField("", max_length=100)


@router.get("/stops", response={200: list[StopOut], **refusals(404)},
            summary="The current timetable's stops")
def stops(request: HttpRequest, filters: Query[StopFilter]) -> list[StopOut]:
    rows = Stop.objects.filter(feed=current_feed()).order_by("name", "stop_id")
    if filters.q:
        rows = rows.filter(name__icontains=filters.q) | rows.filter(code=filters.q)
    return [convert.stop_out(s) for s in rows[:filters.limit]]


@router.get("/stops/{code}/arrivals", response={200: BoardOut, **refusals(404)},
            summary="A stop's next arrivals: live (with free seats) or from the timetable")
def arrivals(request: HttpRequest, code: StopCode) -> BoardOut:
    stop = boards.access_stop(code)
    now = timezone.now()
    return BoardOut(stop=convert.stop_out(stop), now=now, live_feed_stale=boards.stale(now),
                    last_update=boards.last_update(),
                    arrivals=[convert.arrival_out(a, now) for a in boards.arrivals(stop, now=now)])


@router.get("/vehicles", response={200: list[VehicleOut], **refusals()},
            summary="Vehicles heard from lately, with their trip, delay and free seats")
def vehicles(request: HttpRequest) -> list[VehicleOut]:
    since = timezone.now() - timedelta(seconds=conf.stale_seconds())
    return [convert.vehicle_out(s) for s in VehicleState.objects.filter(
        fixed_at__gte=since, vehicle__active=True).select_related("vehicle")
        .order_by("vehicle__code")]


@router.get("/routes", response={200: list[TransitRouteOut], **refusals(404)},
            summary="The current timetable's routes")
def routes(request: HttpRequest) -> list[TransitRouteOut]:
    return [TransitRouteOut(id=r.route_id, short_name=r.short_name, long_name=r.long_name,
                     type=r.route_type, color=r.color)
            for r in Route.objects.filter(feed=current_feed()).order_by("short_name", "route_id")]


@router.get("/accuracy", response={200: list[AccuracyOut], **refusals()},
            summary="How accurate the arrival predictions were (ETA Accuracy Benchmark)")
def accuracy(request: HttpRequest, filters: Query[AccuracyFilter]) -> list[AccuracyOut]:
    """Per route and service day (and all routes together, ``route_id`` ""): each
    horizon's samples, the share that was accurate, the mean absolute and the median error
    (actual minus predicted, seconds: positive is late), and the score."""
    today = timezone.localdate()
    days = [today - timedelta(days=i) for i in range(filters.days)]
    names = dict(Route.objects.values_list("route_id", "short_name"))
    return [convert.accuracy_out(row, names)
            for row in predictions.accuracy(days=days, route_id=filters.route_id or None)]


@router.get("/flows", response={200: list[FlowOut], **refusals()},
            summary="Passenger flows: boardings and alightings per route, stop and hour")
def passenger_flows(request: HttpRequest, filters: Query[FlowFilter]) -> list[FlowOut]:
    """From the on-board counters, attributed to the stop each vehicle last reached."""
    day = filters.day or timezone.localdate()
    return [FlowOut(route_id=f.route_id, stop_id=f.stop_id, hour=f.hour, boarded=f.boarded,
                    alighted=f.alighted) for f in flows.flows(day, route_id=filters.route_id)]


@router.get("/coverage", response={200: CoverageOut, **refusals()},
            summary="Vehicles with GPS and the share of the fleet on the live map now")
def coverage(request: HttpRequest) -> CoverageOut:
    """The strategy's KPIs 5.3.1 #1 (transit units with GPS) and #6 (% on the online map)."""
    now = overload.coverage()
    return CoverageOut(vehicles=now.vehicles, with_gps=now.with_gps, on_map=now.on_map,
                       share_on_map=now.share_on_map)
