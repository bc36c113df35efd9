"""Staff: the dispatchers' view of the network and their service alerts; the IT
administrator's timetable import and vehicle registry."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import File, Router, Status
from ninja.files import UploadedFile
from ninja.security import django_auth

from misto.core.permissions import require
from misto.core.schemas import DbId, refusals
from misto.transit import permissions as perms
from misto.transit.api import convert
from misto.transit.api.schemas import (
    AlertIn,
    AlertOut,
    DeadFixOut,
    FeedOut,
    GapOut,
    OnboardDeviceIn,
    OnboardDeviceOut,
    RouteNowOut,
    VehicleIn,
    VehicleKeyOut,
)
from misto.transit.errors import TransitCode, TransitError
from misto.transit.models import DeadFix, Feed, Vehicle
from misto.transit.services import (
    alerts,
    feeds,
    onboard,
    overload,
    positions,
    realtime,
    timetable,
)

router = Router(tags=["transit: staff"], auth=django_auth)


@router.get("/dispatch/routes", response={200: list[RouteNowOut], **refusals(401, 403)},
            summary="Each route now: live vehicles, mean load and delay, headways and "
                    "bunching, overload watch")
def dispatch_routes(request: HttpRequest) -> list[RouteNowOut]:
    require(request.user, perms.DISPATCH_VIEW)
    return [RouteNowOut(route_id=r.route_id, route=r.route, vehicles=r.vehicles,
                        counted=r.counted, occupancy_percentage=r.percent,
                        mean_delay_s=r.mean_delay_s, overloaded_since=r.over_since,
                        raised=r.raised,
                        gaps=[GapOut(leader=g.leader, follower=g.follower,
                                     headway_s=g.headway_s, scheduled_s=g.scheduled_s,
                                     bunched=g.bunched) for g in r.gaps])
            for r in overload.routes_now()]


@router.get("/dispatch/dead-fixes", response={200: list[DeadFixOut], **refusals(401, 403)},
            summary="The latest positions refused as implausible, with the reason")
def dead_fixes(request: HttpRequest) -> list[DeadFixOut]:
    require(request.user, perms.DISPATCH_VIEW)
    return [DeadFixOut(vehicle=d.vehicle_code, received_at=d.received_at, reason=d.reason,
                       reason_label=str(d.get_reason_display()), fixed_at=d.fixed_at)
            for d in DeadFix.objects.order_by("-pk")[:200]]


# One path, two audiences: Django sends /alerts to one router only, so the public list
# lives here with its own (no) authentication.
@router.get("/alerts", response={200: list[AlertOut], **refusals()}, auth=None, tags=["transit"],
            summary="Service alerts in force (also GTFS-Realtime /gtfs-rt/alerts.pb)")
def alerts_in_force(request: HttpRequest) -> list[AlertOut]:
    english = (get_language() or "uk").startswith("en")
    return [convert.alert_out(a, english) for a in realtime.active_alerts(timezone.now())]


@router.post("/alerts", response={201: AlertOut, **refusals(401, 403, 404)},
             summary="Announce a service alert (GTFS-Realtime Alerts)")
def announce(request: HttpRequest, body: AlertIn) -> Status[AlertOut]:
    require(request.user, perms.ALERT_MANAGE)
    checked = alerts.check_alert(alerts.AlertIn(
        header=body.header, header_en=body.header_en, description=body.description,
        description_en=body.description_en, effect=body.effect,
        route_ids=tuple(body.route_ids), stop_ids=tuple(body.stop_ids),
        starts_at=body.starts_at, ends_at=body.ends_at))
    return Status(201, convert.alert_out(alerts.do_announce(checked)))


@router.post("/alerts/{alert_id}/end", response={200: AlertOut, **refusals(401, 403, 404)},
             summary="End a service alert now")
def end_alert(request: HttpRequest, alert_id: DbId) -> AlertOut:
    require(request.user, perms.ALERT_MANAGE)
    return convert.alert_out(alerts.do_end(alerts.access_alert(alert_id)))


@router.post("/feeds", response={201: FeedOut, **refusals(401, 403)},
             summary="Import a GTFS zip: all or nothing; every bad row listed in `problems`")
def import_feed(request: HttpRequest, file: File[UploadedFile]) -> Status[FeedOut]:
    require(request.user, perms.FEED_IMPORT)
    if file.size is not None and file.size > feeds.MAX_ZIP_BYTES:
        raise TransitError(TransitCode.BAD_FEED, "The file is too large.")
    feed = feeds.import_feed(file.read(), file.name or "feed.zip")
    timetable.forget()
    return Status(201, _feed_out(feed))


def _feed_out(feed: Feed) -> FeedOut:
    return FeedOut(id=feed.pk, name=feed.name, sha256=feed.sha256,
                   imported_at=feed.imported_at, stops=feed.stops.count(),
                   routes=feed.routes.count(), trips=feed.trips.count())


@router.post("/trackers", response={201: VehicleKeyOut, **refusals(401, 403)},
             summary="Register a vehicle (or replace its tracker's key); the key is shown once")
def register_vehicle(request: HttpRequest, body: VehicleIn) -> Status[dict[str, Any]]:
    require(request.user, perms.VEHICLE_MANAGE)
    vehicle, _created = Vehicle.objects.update_or_create(
        code=body.code, defaults={"label": body.label, "seats": body.seats,
                                  "capacity": max(body.capacity, body.seats), "active": True})
    return Status(201, {"code": vehicle.code, "key": positions.issue_token(vehicle)})


@router.post("/devices", response={201: OnboardDeviceOut, **refusals(401, 403, 404)},
             summary="Put a device on a vehicle: an IoT tracker or passenger counter (device "
                     "uid), or a ticket validator (validator code)")
def link_device(request: HttpRequest, body: OnboardDeviceIn) -> Status[OnboardDeviceOut]:
    require(request.user, perms.VEHICLE_MANAGE)
    vehicle = Vehicle.objects.filter(code=body.vehicle).first()
    if vehicle is None:
        raise TransitError(TransitCode.NOT_FOUND, _("No vehicle has this fleet number."),
                           field="vehicle")
    device = onboard.do_link(vehicle, body.kind, body.code)
    return Status(201, OnboardDeviceOut(vehicle=vehicle.code, kind=device.kind,
                                        code=device.code))
