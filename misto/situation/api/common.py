"""What the situation centre's routers share: the staff gate, GeoJSON answers, bodies."""

from __future__ import annotations

import json
import re
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.functional import Promise
from ninja.security import SessionAuth

from misto.core.permissions import can
from misto.situation import services
from misto.situation.errors import forbidden
from misto.situation.models import Emergency

GEOJSON = "application/geo+json"
StrOrPromise = str | Promise


class Permitted(SessionAuth):
    """A signed-in session (CSRF-checked for changes, as ``django_auth``) whose user may
    ``action``: 401 without a session, 403 without the right; declared once per router."""

    def __init__(self, action: str, refusal: StrOrPromise) -> None:
        super().__init__()
        self.action = action
        self.refusal = refusal

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user and not can(user, self.action):
            raise forbidden(str(self.refusal))
        return user


def geojson_answer(schema: type) -> dict[str, Any]:
    """``openapi_extra`` saying the 200 answer is ``application/geo+json`` with ``schema``
    (Django Ninja documents only its renderer's ``application/json``)."""
    ref = {"$ref": f"#/components/schemas/{schema.__name__}"}
    return {"responses": {200: {"content": {GEOJSON: {"schema": ref}}}}}


def geojson(data: dict[str, Any] | str | bytes, status: int = 200) -> HttpResponse:
    body = data if isinstance(data, str | bytes) else json.dumps(
        data, ensure_ascii=False, separators=(",", ":"), default=str)
    return HttpResponse(body, status=status, content_type=GEOJSON)


_GZIP = re.compile(r"\bgzip\b")


def accepts_gzip(request: HttpRequest) -> bool:
    """Whether the client takes a gzip-encoded answer (``Accept-Encoding``, as Django's
    GZipMiddleware reads it)."""
    return bool(_GZIP.search(request.headers.get("accept-encoding", "")))


def geojson_gzip(body: bytes) -> HttpResponse:
    """A GeoJSON answer already gzip-compressed (``Content-Encoding: gzip``); it varies
    with ``Accept-Encoding``, so a shared cache keeps the two forms apart."""
    response = HttpResponse(body, content_type=GEOJSON)
    response.headers["Content-Encoding"] = "gzip"
    patch_vary_headers(response, ["Accept-Encoding"])
    return response


def incident_detail(incident_id: int, user: Any) -> dict[str, Any]:
    """The incident's map Feature with its sources and history, for who may see it."""
    incident = services.access_incident(user, incident_id)
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


def emergency_body(emergency: Emergency) -> dict[str, Any]:
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
