"""An incident and its progress, for the crew assigned to it (by crew membership, not a
role) and for staff: a signed-in session, then ``services.access_incident`` decides (an
incident the user may not see is "not found", as a missing one)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from ninja.security import django_auth

from misto.core.schemas import DbId, refusals
from misto.situation import services
from misto.situation.api.common import geojson, geojson_answer, incident_detail
from misto.situation.api.schemas import IncidentDetailOut

router = Router(auth=django_auth)


@router.get("/incidents/{incident_id}",
            response={200: IncidentDetailOut, **refusals(401, 404)},
            openapi_extra=geojson_answer(IncidentDetailOut),
            summary="One incident with its sources and history")
def incident(request: HttpRequest, incident_id: DbId) -> HttpResponse:
    return geojson(incident_detail(incident_id, request.user))


class StatusIn(Schema):
    status: str
    note: str = ""


@router.post("/incidents/{incident_id}/status",
             response={200: IncidentDetailOut, **refusals(400, 401, 403, 404, 409)},
             openapi_extra=geojson_answer(IncidentDetailOut),
             summary="Move an incident on: in_progress, resolved (crew or dispatcher)")
def change_status(request: HttpRequest, incident_id: DbId, payload: StatusIn) -> HttpResponse:
    """Photos go through the crew's page (a form upload)."""
    services.change_status(incident_id, request.user, payload.status, note=payload.note)
    return geojson(incident_detail(incident_id, request.user))
