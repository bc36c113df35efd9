"""Dispatchers' acts on an incident or an emergency: assigning, ending. A signed-in session
(CSRF-checked); the service reaches the object through ``access_<object>`` with the act's
right (``situation.incident.dispatch``, ``situation.emergency.end``): one the user may not
see is "not found", as a missing one; one they see but may not act on is "forbidden".

Declaring an emergency acts on no object and shares its path with the staff's list, so it
lives in :mod:`.staff` (Django resolves a path to one router)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from ninja.security import django_auth

from misto.core.schemas import DbId, refusals
from misto.situation import services
from misto.situation.api.common import (
    emergency_body,
    geojson,
    geojson_answer,
    incident_detail,
)
from misto.situation.api.schemas import EmergencyOut, IncidentDetailOut

router = Router(auth=django_auth)


class AssignIn(Schema):
    department: str = ""
    crew_id: DbId | None = None
    note: str = ""


@router.post("/incidents/{incident_id}/assign",
             response={200: IncidentDetailOut, **refusals(400, 401, 403, 404, 409)},
             openapi_extra=geojson_answer(IncidentDetailOut),
             summary="Assign to a department and/or a crew (dispatchers)")
def assign(request: HttpRequest, incident_id: DbId, payload: AssignIn) -> HttpResponse:
    services.assign(incident_id, request.user, department=payload.department,
                    crew_id=payload.crew_id, note=payload.note)
    return geojson(incident_detail(incident_id, request.user))


@router.post("/emergencies/{emergency_id}/end",
             response={200: EmergencyOut, **refusals(401, 403, 404, 409)},
             summary="End an emergency (dispatchers)")
def end(request: HttpRequest, emergency_id: DbId) -> dict[str, Any]:
    return emergency_body(services.end_emergency(emergency_id, request.user))
