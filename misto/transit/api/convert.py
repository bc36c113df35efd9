"""Models and service answers to the API's shapes (shared by the pages' JSON)."""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse

from misto.transit.api.schemas import (
    AccuracyOut,
    AlertOut,
    ArrivalOut,
    BucketOut,
    LoadOut,
    StopOut,
    VehicleOut,
)
from misto.transit.models import Alert, Stop, VehicleState
from misto.transit.services import timetable
from misto.transit.services.boards import Arrival
from misto.transit.services.occupancy import Load, load
from misto.transit.services.predictions import Accuracy


def stop_out(stop: Stop) -> StopOut:
    return StopOut(id=stop.stop_id, code=stop.public_code, name=stop.name, lon=stop.lon,
                   lat=stop.lat, district=stop.district, landmark=stop.landmark,
                   address=stop.address, url=reverse("transit:stop", args=[stop.public_code]))


def load_out(value: Load) -> LoadOut:
    return LoadOut(passengers=value.passengers, free_seats=value.free_seats,
                   occupancy_percentage=value.percent, occupancy_status=value.status,
                   label=value.label)


def arrival_out(a: Arrival, now: datetime) -> ArrivalOut:
    return ArrivalOut(route_id=a.route_id, route=a.route, headsign=a.headsign,
                      trip_id=a.trip_id, service_date=a.service_date, scheduled=a.scheduled,
                      predicted=a.predicted, live=a.live, minutes=a.minutes(now),
                      delay_s=a.delay_s, vehicle=a.vehicle,
                      load=load_out(a.load) if a.load else None)


def vehicle_out(state: VehicleState) -> VehicleOut:
    tt = timetable.current()
    plan = tt.trips.get(state.trip_id) if tt and state.trip_id else None
    next_stop = ""
    if plan is not None and state.next_sequence is not None and tt is not None:
        call = next((s for s in plan.stops if s.sequence == state.next_sequence), None)
        next_stop = tt.stops[call.stop_pk][0] if call else ""
    v = state.vehicle
    return VehicleOut(id=v.code, label=v.label or v.code, lon=state.lon, lat=state.lat,
                      bearing=state.bearing, speed=state.speed, fixed_at=state.fixed_at,
                      route_id=state.route_id, route=plan.route_name if plan else "",
                      trip_id=state.trip_id, headsign=plan.headsign if plan else "",
                      delay_s=state.delay_s, next_stop=next_stop,
                      load=load_out(load(state.passengers, v.seats, v.capacity)))


def accuracy_out(row: Accuracy, names: dict[str, str]) -> AccuracyOut:
    return AccuracyOut(
        route_id=row.route_id, route=names.get(row.route_id, row.route_id),
        service_date=row.day, samples=row.samples, score=row.score,
        buckets=[BucketOut(horizon_minutes=b.name, samples=b.samples, accurate=b.accurate,
                           share=round(b.share, 4) if b.share is not None else None,
                           mean_abs_error_s=b.mean_abs_error_s, median_error_s=b.median_error_s)
                 for b in row.buckets])


def alert_out(alert: Alert, english: bool = False) -> AlertOut:
    return AlertOut(id=alert.pk, header=(alert.header_en if english and alert.header_en
                                         else alert.header),
                    description=(alert.description_en if english and alert.description_en
                                 else alert.description),
                    effect=alert.effect, route_ids=[str(r) for r in alert.route_ids],
                    stop_ids=[str(s) for s in alert.stop_ids], starts_at=alert.starts_at,
                    ends_at=alert.ends_at, source=alert.source)
