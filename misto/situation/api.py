"""The situation centre's HTTP API, mounted at /api/situation/. Thin: handlers call
``services``. Errors are JSON ``{"error": <code>, "detail": <reason>}`` with a 4xx status:
handlers raise ``SituationError`` (codes in ``misto.situation.errors``), ``misto/api.py`` answers.

Staff only (``can(user, "situation.incident.view")``), except a crew member reading and
updating the incidents assigned to their crew.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.security import django_auth

from misto.situation import services
from misto.situation.errors import SituationCode, SituationError, forbidden
from misto.situation.models import Crew, Emergency, IncidentKind

router = Router(tags=["situation"])

GEOJSON = "application/geo+json"


def _json(data: Any, status: int = 200, content_type: str = "application/json") -> HttpResponse:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    return HttpResponse(body, status=status, content_type=content_type)


def _check_viewer(request: HttpRequest) -> None:
    if not request.user.is_authenticated:
        raise SituationError(SituationCode.NOT_SIGNED_IN,
                             _("Sign in with a city staff account to see the situation."),
                             status=401)
    if not services.can_view(request.user):
        raise forbidden(_("Only city staff may see the situation."))


class IncidentQuery(Schema):
    status: str | None = None
    kind: str | None = None
    district: str | None = None
    severity: str | None = None
    period: str | None = None
    since: str | None = None
    until: str | None = None
    bbox: str | None = None
    emergency: int | None = None
    limit: int | None = None


@router.get("/incidents", summary="Incidents as a GeoJSON FeatureCollection (the live map)")
def incidents(request: HttpRequest, query: Query[IncidentQuery]) -> HttpResponse:
    """Each feature's properties hold ``id``, ``kind``, ``status``, ``severity``,
    ``district`` and ``sources`` (a list of ``{module, id}``), and more for the map.

    ``status``: a status (open, assigned, in_progress, resolved), several separated by
    commas, ``active`` (the default: all but resolved) or ``all``. ``kind``, ``district``,
    ``severity``: comma-separated. ``period``: 1h, 24h, 7d, 30d or 365d; or ``since`` /
    ``until`` (ISO 8601). ``bbox``: west,south,east,north.
    """
    _check_viewer(request)
    flt = services.parse_filter(**query.dict())
    text = services.map_text(flt, relative=bool(query.period))
    return HttpResponse(text, content_type=GEOJSON)


def _detail(incident_id: int, request: HttpRequest) -> dict[str, Any]:
    incident = services.access_incident(request.user, incident_id)
    feature = services.incident_feature(incident.pk) or {}
    feature["properties"]["sources_detail"] = [
        {"module": row.module, "id": row.source_id, "event": row.event, "label": row.label,
         "severity": row.severity, "observed_at": row.observed_at.isoformat(),
         "last_seen_at": row.last_seen_at.isoformat(), "cleared": row.cleared,
         "lon": row.lon, "lat": row.lat}
        for row in incident.source_rows.all()
    ]
    feature["properties"]["history"] = [
        {"at": row.at.isoformat(), "action": row.action, "status": row.status,
         "note": row.note, "data": row.data,
         "photo": f"/situation/photos/{row.pk}" if row.photo else None}
        for row in incident.updates.all()
    ]
    return feature


@router.get("/incidents/{int:incident_id}", summary="One incident with its sources and history")
def incident_detail(request: HttpRequest, incident_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        raise SituationError(SituationCode.NOT_SIGNED_IN, _("Sign in to see incidents."),
                             status=401)
    return _json(_detail(incident_id, request), content_type=GEOJSON)


class AssignIn(Schema):
    department: str = ""
    crew_id: int | None = None
    note: str = ""


@router.post("/incidents/{int:incident_id}/assign", auth=django_auth,
             summary="Assign to a department and/or a crew (dispatchers)")
def assign(request: HttpRequest, incident_id: int, payload: AssignIn) -> HttpResponse:
    services.assign(incident_id, request.user, department=payload.department,
                    crew_id=payload.crew_id, note=payload.note)
    return _json(_detail(incident_id, request), content_type=GEOJSON)


class StatusIn(Schema):
    status: str
    note: str = ""


@router.post("/incidents/{int:incident_id}/status", auth=django_auth,
             summary="Move an incident on: in_progress, resolved (crew or dispatcher)")
def change_status(request: HttpRequest, incident_id: int, payload: StatusIn) -> HttpResponse:
    """Photos go through the crew's page (a form upload)."""
    services.change_status(incident_id, request.user, payload.status, note=payload.note)
    return _json(_detail(incident_id, request), content_type=GEOJSON)


@router.get("/devices", summary="Devices by state (ok, alert, offline) as GeoJSON")
def devices(request: HttpRequest) -> HttpResponse:
    _check_viewer(request)
    return HttpResponse(services.devices_text(), content_type=GEOJSON)


@router.get("/outages", summary="Current outage areas as GeoJSON")
def outages(request: HttpRequest, all: bool = False) -> HttpResponse:
    _check_viewer(request)
    return _json(services.outage_collection(current_only=not all), content_type=GEOJSON)


@router.get("/changes", summary="What changed after a change id (polling fallback of the "
            "live stream)")
def changes(request: HttpRequest, after: int = 0) -> HttpResponse:
    _check_viewer(request)
    if after < 0:
        raise SituationError(SituationCode.BAD_FILTER,
                             _("after must be a change id (0 or more)."))
    items = services.changes_after(after)
    return _json({"last": items[-1][0] if items else max(after, services.latest_change_id()),
                  "changes": [{"id": pk, "topic": topic, "data": data}
                              for pk, topic, data in items]})


def _figures(figures: services.TimeFigures) -> dict[str, Any]:
    return dict(figures.__dict__)


@router.get("/dashboard", summary="The dashboard's figures")
def dashboard(request: HttpRequest, days: int = 30) -> HttpResponse:
    _check_viewer(request)
    if not 1 <= days <= 366:
        raise SituationError(SituationCode.BAD_FILTER, _("days must be within 1..366."))
    board = services.dashboard(period_days=days)
    return _json({
        "now": board.now.isoformat(), "open_total": board.open_total,
        "open_by_kind": [{"kind": b.key, "title": b.label, "count": b.value}
                         for b in board.by_kind],
        "open_by_district": [{"district": b.key or None, "name": b.label, "count": b.value}
                             for b in board.by_district],
        "open_by_severity": board.by_severity,
        "response_times": [_figures(f) for f in board.figures],
        "devices": {"total": board.devices_total, "online": board.devices_online,
                    "alerting": board.devices_alerting},
        "reports_today": board.reports_today, "environment": board.environment,
        "trend": [{"day": o.key, "opened": o.value, "resolved": r.value}
                  for o, r in zip(board.trend_opened, board.trend_resolved, strict=True)],
        "emergencies": [{"id": e.pk, "title": e.title} for e in board.emergencies],
        "outages_current": board.outages_current,
    })


@router.get("/kinds", summary="Incident kinds with their correlation rules and targets")
def kinds(request: HttpRequest) -> HttpResponse:
    _check_viewer(request)
    return _json({"kinds": [
        {"code": k.code, "title": k.title(), "department": k.department,
         "radius_m": k.radius_m, "window_minutes": k.window_minutes,
         "same_street": k.same_street, "response_target_minutes": k.response_target_minutes,
         "resolution_target_minutes": k.resolution_target_minutes, "color": k.color,
         "rules": [{"source": r.source, "value": r.value} for r in k.rules.all()]}
        for k in IncidentKind.objects.prefetch_related("rules")
    ]})


@router.get("/crews", summary="Crews and their departments")
def crews(request: HttpRequest) -> HttpResponse:
    _check_viewer(request)
    return _json({"crews": [{"id": c.pk, "name": c.name, "department": c.department,
                             "active": c.active} for c in Crew.objects.all()]})


class EmergencyIn(Schema):
    title: str
    kind: str = "other"
    districts: list[str] = []
    area: dict[str, Any] | None = None
    note: str = ""


def _emergency(emergency: Emergency) -> dict[str, Any]:
    shape = services.emergency_area(emergency)
    count, _sample = services.affected_buildings(emergency, 0)
    return {
        "id": emergency.pk, "title": emergency.title, "kind": emergency.kind,
        "districts": emergency.districts, "active": emergency.active,
        "started_at": emergency.started_at.isoformat(),
        "ended_at": emergency.ended_at.isoformat() if emergency.ended_at else None,
        "area": json.loads(shape.geojson) if shape is not None else None,
        "incidents": list(emergency.incidents.values_list("pk", flat=True)),
        "building_count": count, "shelters": services.nearby_shelters(emergency),
    }


@router.get("/emergencies", summary="Emergencies (active first)")
def emergencies(request: HttpRequest) -> HttpResponse:
    _check_viewer(request)
    since = timezone.now() - timedelta(days=90)
    rows = Emergency.objects.filter(started_at__gte=since).order_by("ended_at", "-started_at")
    return _json({"emergencies": [{"id": e.pk, "title": e.title, "active": e.active,
                                   "districts": e.districts,
                                   "started_at": e.started_at.isoformat()} for e in rows]})


@router.post("/emergencies", auth=django_auth, summary="Declare an emergency (dispatchers)")
def declare(request: HttpRequest, payload: EmergencyIn) -> HttpResponse:
    emergency = services.declare_emergency(
        request.user, title=payload.title, kind=payload.kind, districts=payload.districts,
        area=payload.area, note=payload.note)
    return _json(_emergency(emergency), status=201)


@router.get("/emergencies/{int:emergency_id}", summary="An emergency: incidents, buildings, "
            "shelters")
def emergency_detail(request: HttpRequest, emergency_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        raise SituationError(SituationCode.NOT_SIGNED_IN, _("Sign in to see emergencies."),
                             status=401)
    return _json(_emergency(services.access_emergency(request.user, emergency_id)))


@router.post("/emergencies/{int:emergency_id}/end", auth=django_auth,
             summary="End an emergency (dispatchers)")
def end(request: HttpRequest, emergency_id: int) -> HttpResponse:
    emergency = services.end_emergency(emergency_id, request.user)
    return _json(_emergency(emergency))
