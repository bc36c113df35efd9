"""Passenger flows: the on-board counters' boardings and alightings, attributed to the stop
the vehicle last reached on its trip, per service day, hour and route."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import F, Sum

from misto.transit.models import PassengerFlow
from misto.transit.services.timetable import Timetable, TripPlan


def count(tt: Timetable, plan: TripPlan, day: date, sequence: int | None, when: datetime,
          boarded: int, alighted: int) -> None:
    """Add a fix's counts to the stop the vehicle last reached (the first stop before it
    has reached any)."""
    if not (boarded or alighted):
        return
    call = next((s for s in plan.stops if s.sequence == sequence), plan.stops[0])
    hour = when.astimezone(tt.tz).hour
    row, created = PassengerFlow.objects.get_or_create(
        service_date=day, hour=hour, route_id=plan.route_id, stop_id=call.stop_id,
        defaults={"boarded": boarded, "alighted": alighted})
    if not created:
        PassengerFlow.objects.filter(pk=row.pk).update(boarded=F("boarded") + boarded,
                                                       alighted=F("alighted") + alighted)


@dataclass(frozen=True)
class Flow:
    route_id: str
    stop_id: str
    hour: int
    boarded: int
    alighted: int


def flows(day: date, *, route_id: str = "") -> list[Flow]:
    rows = PassengerFlow.objects.filter(service_date=day)
    if route_id:
        rows = rows.filter(route_id=route_id)
    return [Flow(r.route_id, r.stop_id, r.hour, r.boarded, r.alighted)
            for r in rows.order_by("route_id", "hour", "stop_id")]


def by_hour(day: date) -> list[tuple[str, int, int]]:
    """(route, hour, boarded) for the day: what the dispatch page charts."""
    return [(r["route_id"], r["hour"], r["boarded"] or 0) for r in
            PassengerFlow.objects.filter(service_date=day).values("route_id", "hour")
            .annotate(boarded=Sum("boarded")).order_by("route_id", "hour")]
