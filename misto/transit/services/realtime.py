"""GTFS-Realtime out: VehiclePositions, TripUpdates and Alerts as protobuf FeedMessages
(``gtfs-realtime-bindings``), following the producers' best practices: only data at most
``MISTO_TRANSIT_STALE_SECONDS`` old, entity ids that stay the same (the vehicle's fleet
number, ``trip:<trip_id>:<date>``, ``alert:<id>``), and the newest data's time as the
header's timestamp and the ``Last-Modified`` the views answer ``If-Modified-Since`` with.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone

from misto.transit import conf
from misto.transit.models import Agency, Alert, Prediction, VehicleState
from misto.transit.services.occupancy import load

if TYPE_CHECKING:
    from google.transit import gtfs_realtime_pb2 as rt

# protobuf and the GTFS-realtime bindings are imported by the functions that build or
# print a feed, not above: they cost every process ~0.15 s at start-up (this package loads
# with Django) and only the feed endpoints use them.

KINDS = ("vehicle-positions", "trip-updates", "alerts")


@dataclass(frozen=True)
class Built:
    message: rt.FeedMessage
    modified: datetime  # the newest data in it

    def protobuf(self) -> bytes:
        return self.message.SerializeToString()

    def as_dict(self) -> dict:
        from google.protobuf import json_format

        return json_format.MessageToDict(self.message, preserving_proto_field_name=True)


def _header(message: rt.FeedMessage, modified: datetime) -> None:
    message.header.gtfs_realtime_version = "2.0"
    message.header.incrementality = message.header.FULL_DATASET
    message.header.timestamp = int(modified.timestamp())


def _fresh(now: datetime) -> list[VehicleState]:
    since = now - timedelta(seconds=conf.stale_seconds())
    return list(VehicleState.objects.filter(fixed_at__gte=since, vehicle__active=True)
                .select_related("vehicle").order_by("vehicle__code"))


def _trip(descriptor: rt.TripDescriptor, trip_id: str, route_id: str, day: object) -> None:
    descriptor.trip_id = trip_id
    descriptor.route_id = route_id
    descriptor.start_date = day.strftime("%Y%m%d")  # type: ignore[attr-defined]
    descriptor.schedule_relationship = descriptor.SCHEDULED


def vehicle_positions(now: datetime | None = None) -> Built:
    from google.transit import gtfs_realtime_pb2 as rt

    now = now or timezone.now()
    message = rt.FeedMessage()
    states = _fresh(now)
    modified = max((s.fixed_at for s in states), default=now.replace(microsecond=0))
    _header(message, modified)
    for state in states:
        entity = message.entity.add()
        entity.id = state.vehicle.code
        v = entity.vehicle
        v.vehicle.id = state.vehicle.code
        v.vehicle.label = state.vehicle.label or state.vehicle.code
        if state.trip_id and state.service_date:
            _trip(v.trip, state.trip_id, state.route_id, state.service_date)
            if state.next_sequence is not None:
                v.current_stop_sequence = state.next_sequence
                v.current_status = rt.VehiclePosition.IN_TRANSIT_TO
        v.position.latitude = state.lat
        v.position.longitude = state.lon
        if state.bearing is not None:
            v.position.bearing = state.bearing
        if state.speed is not None:
            v.position.speed = state.speed
        v.timestamp = int(state.fixed_at.timestamp())
        occupancy = load(state.passengers, state.vehicle.seats, state.vehicle.capacity)
        v.occupancy_status = rt.VehiclePosition.OccupancyStatus.Value(occupancy.status)
        if occupancy.percent is not None:
            v.occupancy_percentage = occupancy.percent
    return Built(message, modified)


def trip_updates(now: datetime | None = None) -> Built:
    from google.transit import gtfs_realtime_pb2 as rt

    now = now or timezone.now()
    message = rt.FeedMessage()
    states = {s.vehicle_id: s for s in _fresh(now) if s.trip_id and s.service_date}
    modified = max((s.fixed_at for s in states.values()), default=now.replace(microsecond=0))
    _header(message, modified)
    # One TripUpdate per trip and day (the validators' S003): the vehicle heard from last.
    newest: dict[tuple[str, object], VehicleState] = {}
    for state in states.values():
        key = (state.trip_id, state.service_date)
        if key not in newest or state.fixed_at > newest[key].fixed_at:
            newest[key] = state
    states = {s.vehicle_id: s for s in newest.values()}
    by_vehicle: dict[int, list[tuple[int, str, datetime, datetime, int]]] = defaultdict(list)
    for vehicle_pk, sequence, stop_id, predicted, scheduled, dwell in Prediction.objects.filter(
            vehicle_id__in=list(states), predicted__gte=modified).order_by(
            "vehicle_id", "sequence").values_list(
            "vehicle_id", "sequence", "stop__stop_id", "predicted", "scheduled",
            "dwell_s"):
        by_vehicle[vehicle_pk].append((sequence, stop_id, predicted, scheduled, dwell))
    for vehicle_pk, state in states.items():
        if not by_vehicle.get(vehicle_pk):
            continue  # nothing ahead of the newest data: no update to give
        entity = message.entity.add()
        entity.id = f"trip:{state.trip_id}:{state.service_date:%Y%m%d}"
        update = entity.trip_update
        _trip(update.trip, state.trip_id, state.route_id, state.service_date)
        update.vehicle.id = state.vehicle.code
        update.vehicle.label = state.vehicle.label or state.vehicle.code
        update.timestamp = int(state.fixed_at.timestamp())
        if state.delay_s is not None:
            update.delay = state.delay_s
        for sequence, stop_id, predicted, scheduled, dwell in by_vehicle[vehicle_pk]:
            stu = update.stop_time_update.add()
            stu.stop_sequence = sequence
            stu.stop_id = stop_id
            delay = round((predicted - scheduled).total_seconds())
            stu.arrival.time = int(predicted.timestamp())
            stu.arrival.delay = delay
            stu.departure.time = int(predicted.timestamp()) + dwell
            stu.departure.delay = delay
            stu.schedule_relationship = rt.TripUpdate.StopTimeUpdate.SCHEDULED
    return Built(message, modified)


def active_alerts(now: datetime) -> list[Alert]:
    return list(Alert.objects.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
                .order_by("pk"))


def alerts(now: datetime | None = None) -> Built:
    from google.transit import gtfs_realtime_pb2 as rt

    now = now or timezone.now()
    message = rt.FeedMessage()
    rows = active_alerts(now)
    agencies = [a or "1" for a in Agency.objects.values_list("agency_id", flat=True)] or ["1"]
    modified = max((a.updated_at for a in rows), default=now)
    _header(message, modified.replace(microsecond=0))
    for alert in rows:
        entity = message.entity.add()
        entity.id = f"alert:{alert.pk}"
        a = entity.alert
        if alert.starts_at or alert.ends_at:
            period = a.active_period.add()
            if alert.starts_at:
                period.start = int(alert.starts_at.timestamp())
            if alert.ends_at:
                period.end = int(alert.ends_at.timestamp())
        for route_id in alert.route_ids:
            a.informed_entity.add().route_id = str(route_id)
        for stop_id in alert.stop_ids:
            a.informed_entity.add().stop_id = str(stop_id)
        if not alert.route_ids and not alert.stop_ids:  # the whole network
            for agency_id in agencies:
                a.informed_entity.add().agency_id = agency_id
        a.cause = rt.Alert.UNKNOWN_CAUSE
        a.effect = rt.Alert.Effect.Value(alert.effect)
        for text, language in ((alert.header, "uk"), (alert.header_en, "en")):
            if text:
                translation = a.header_text.translation.add()
                translation.text, translation.language = text, language
        for text, language in ((alert.description, "uk"), (alert.description_en, "en")):
            if text:
                translation = a.description_text.translation.add()
                translation.text, translation.language = text, language
    return Built(message, modified)


BUILDERS = {"vehicle-positions": vehicle_positions, "trip-updates": trip_updates,
            "alerts": alerts}
_cache: dict[str, tuple[float, Built]] = {}
CACHE_S = 1.0


def build(kind: str) -> Built:
    """The feed of that kind, built at most once a second per process (a busy consumer
    polling every second costs one build)."""
    hit = _cache.get(kind)
    if hit is not None and time.monotonic() - hit[0] < CACHE_S:
        return hit[1]
    built = BUILDERS[kind]()
    _cache[kind] = (time.monotonic(), built)
    return built


def forget() -> None:
    _cache.clear()
