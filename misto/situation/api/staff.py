"""The city's picture for staff who watch it: ``situation.incident.view``, declared once
on the router (401 without a session, 403 without the right, for every route alike), and
declaring an emergency (``situation.emergency.declare`` besides, checked by the service)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema, Status

from misto.core.schemas import DbId, refusals
from misto.situation import services
from misto.situation.api.common import (
    Permitted,
    accepts_gzip,
    emergency_body,
    geojson,
    geojson_answer,
    geojson_gzip,
)
from misto.situation.api.schemas import (
    ChangesOut,
    CrewsOut,
    DashboardOut,
    DeviceCollectionOut,
    EmergenciesOut,
    EmergencyOut,
    IncidentCollectionOut,
    KindsOut,
    OutageCollectionOut,
    WalkingOut,
)
from misto.situation.errors import SituationCode, SituationError
from misto.situation.models import Crew, Emergency, IncidentKind

router = Router(auth=Permitted("situation.incident.view",
                               gettext_lazy("Only city staff may see the situation.")))
CHANGE_ID = Annotated[int, Field(le=2**63 - 1)]


class IncidentQuery(Schema):
    """The map's filters; their values are checked by ``services.parse_filter`` (400 with
    the reason), so the answer names the filter at fault."""

    status: str | None = Field(None, description="open, assigned, in_progress, resolved "
                               "(comma-separated), active (default) or all")
    kind: str | None = Field(None, description="incident kind codes, comma-separated")
    district: str | None = Field(None, description="KATOTTG codes, comma-separated")
    severity: str | None = Field(None, description="info, warning, critical, comma-separated")
    period: str | None = Field(None, description="1h, 24h, 7d, 30d or 365d")
    since: str | None = Field(None, description="opened at or after (ISO 8601)")
    until: str | None = Field(None, description="opened before (ISO 8601)")
    bbox: str | None = Field(None, description="west,south,east,north")
    emergency: DbId | None = None
    limit: int | None = Field(None, description="at most this many (1..50000)")


@router.get("/incidents", response={200: IncidentCollectionOut, **refusals(400, 401, 403)},
            openapi_extra=geojson_answer(IncidentCollectionOut),
            summary="Incidents as a GeoJSON FeatureCollection (the live map)")
def incidents(request: HttpRequest, query: Query[IncidentQuery]) -> HttpResponse:
    """Each feature's properties hold ``id``, ``kind``, ``status``, ``severity``,
    ``district`` and ``sources`` (a list of ``{module, id}``), and more for the map.

    ``status``: a status (open, assigned, in_progress, resolved), several separated by
    commas, ``active`` (the default: all but resolved) or ``all``. ``kind``, ``district``,
    ``severity``: comma-separated. ``period``: 1h, 24h, 7d, 30d or 365d; or ``since`` /
    ``until`` (ISO 8601). ``bbox``: west,south,east,north.
    """
    flt = services.parse_filter(**query.dict())
    relative = bool(query.period)
    if accepts_gzip(request):
        return geojson_gzip(services.map_gzip(flt, relative=relative))
    return geojson(services.map_body(flt, relative=relative))


@router.get("/devices", response={200: DeviceCollectionOut, **refusals(401, 403)},
            openapi_extra=geojson_answer(DeviceCollectionOut),
            summary="Devices by state (ok, alert, offline) as GeoJSON")
def devices(request: HttpRequest) -> HttpResponse:
    if accepts_gzip(request):
        return geojson_gzip(services.devices_gzip())
    return geojson(services.devices_text())


@router.get("/outages", response={200: OutageCollectionOut, **refusals(401, 403)},
            openapi_extra=geojson_answer(OutageCollectionOut),
            summary="Current outage areas as GeoJSON")
def outages(request: HttpRequest, all: bool = False) -> HttpResponse:
    return geojson(services.outage_collection(current_only=not all))


@router.get("/changes", response={200: ChangesOut, **refusals(400, 401, 403)},
            summary="What changed after a change id (polling fallback of the live stream)")
def changes(request: HttpRequest, after: CHANGE_ID = 0) -> dict[str, Any]:
    if after < 0:
        raise SituationError(SituationCode.BAD_FILTER,
                             _("after must be a change id (0 or more)."))
    items = services.changes_after(after)
    return {"last": items[-1][0] if items else max(after, services.latest_change_id()),
            "changes": [{"id": pk, "topic": topic, "data": data}
                        for pk, topic, data in items]}


@router.get("/dashboard", response={200: DashboardOut, **refusals(400, 401, 403)},
            summary="The dashboard's figures")
def dashboard(request: HttpRequest, days: int = 30) -> dict[str, Any]:
    if not 1 <= days <= 366:
        raise SituationError(SituationCode.BAD_FILTER, _("days must be within 1..366."))
    board = services.dashboard(period_days=days)
    return {
        "now": board.now.isoformat(), "open_total": board.open_total,
        "open_by_kind": [{"kind": b.key, "title": b.label, "count": b.value}
                         for b in board.by_kind],
        "open_by_district": [{"district": b.key or None, "name": b.label, "count": b.value}
                             for b in board.by_district],
        "open_by_severity": board.by_severity,
        "response_times": [dict(f.__dict__) for f in board.figures],
        "devices": {"total": board.devices_total, "online": board.devices_online,
                    "silent": board.devices_silent, "alerting": board.devices_alerting},
        "reports_today": board.reports_today, "environment": board.environment,
        "trend": [{"day": o.key, "opened": o.value, "resolved": r.value}
                  for o, r in zip(board.trend_opened, board.trend_resolved, strict=True)],
        "emergencies": [{"id": e.pk, "title": e.title} for e in board.emergencies],
        "outages_current": board.outages_current,
    }


@router.get("/kinds", response={200: KindsOut, **refusals(401, 403)},
            summary="Incident kinds with their correlation rules and targets")
def kinds(request: HttpRequest) -> dict[str, Any]:
    return {"kinds": [
        {"code": k.code, "title": k.title(), "department": k.department,
         "radius_m": k.radius_m, "window_minutes": k.window_minutes,
         "same_street": k.same_street, "response_target_minutes": k.response_target_minutes,
         "resolution_target_minutes": k.resolution_target_minutes, "color": k.color,
         "rules": [{"source": r.source, "value": r.value} for r in k.rules.all()]}
        for k in IncidentKind.objects.prefetch_related("rules")
    ]}


@router.get("/crews", response={200: CrewsOut, **refusals(401, 403)},
            summary="Crews and their departments")
def crews(request: HttpRequest) -> dict[str, Any]:
    return {"crews": [{"id": c.pk, "name": c.name, "department": c.department,
                       "active": c.active} for c in Crew.objects.all()]}


@router.get("/emergencies", response={200: EmergenciesOut, **refusals(401, 403)},
            summary="Emergencies (active first)")
def emergencies(request: HttpRequest) -> dict[str, Any]:
    since = timezone.now() - timedelta(days=90)
    rows = Emergency.objects.filter(started_at__gte=since).order_by("ended_at", "-started_at")
    return {"emergencies": [{"id": e.pk, "title": e.title, "active": e.active,
                             "districts": e.districts,
                             "started_at": e.started_at.isoformat()} for e in rows]}


class EmergencyIn(Schema):
    title: str
    kind: str = "other"
    districts: list[str] = []
    area: dict[str, Any] | None = None
    note: str = ""


@router.post("/emergencies", response={201: EmergencyOut, **refusals(400, 401, 403)},
             summary="Declare an emergency (dispatchers)")
def declare(request: HttpRequest, payload: EmergencyIn) -> Status:
    emergency = services.declare_emergency(
        request.user, title=payload.title, kind=payload.kind, districts=payload.districts,
        area=payload.area, note=payload.note)
    return Status(201, emergency_body(emergency))


@router.get("/emergencies/{emergency_id}",
            response={200: EmergencyOut, **refusals(401, 403, 404)},
            summary="An emergency: incidents, buildings, shelters")
def emergency_detail(request: HttpRequest, emergency_id: DbId) -> dict[str, Any]:
    """Staff only, as every route here: anyone else hears 403 whichever the id, so the
    answer says nothing about which emergencies exist."""
    return emergency_body(services.access_emergency(request.user, emergency_id))


class WalkFilter(Schema):
    q: Annotated[str, Field(max_length=100)] = ""
    lon: float | None = None
    lat: float | None = None


@router.get("/emergencies/{emergency_id}/walks",
            response={200: WalkingOut, **refusals(400, 401, 403, 404)},
            summary="The open shelters quickest to walk to, with the routes")
def emergency_walks(request: HttpRequest, emergency_id: DbId,
                    filters: Query[WalkFilter]) -> dict[str, Any]:
    """From a landmark number or an address (``q``), a point (``lon``, ``lat``), or by
    default from inside the emergency's area; a place that cannot be used is a 400 with
    the twin's reason."""
    emergency = services.access_emergency(request.user, emergency_id)
    found, error = services.walking_routes(emergency, filters.q, filters.lon, filters.lat)
    if error:
        raise SituationError(SituationCode.INVALID, error)
    return found or {"start": None, "shelters": []}
