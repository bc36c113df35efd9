"""A signed-in resident's own record: read it, download it, see who read it, ask for a
correction. Reading one's own data is not logged; a resident without a record gets 404."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.security import django_auth

from misto.core.schemas import refusals
from misto.residents import services
from misto.residents.api.schemas import AccessLogOut, CorrectionOut, ExportOut, PersonOut

router = Router(tags=["residents"], auth=django_auth)


class CorrectionIn(Schema):
    field: str
    value: str
    comment: str = ""


@router.get("/me", response={200: PersonOut, **refusals(401, 404)})
def me(request: HttpRequest) -> PersonOut:
    person = services.access_own_person(request.user)
    data = services.read_personal(person, actor=request.user, reason="own data")
    return PersonOut.of(person, data)


@router.get("/me/export", response={200: ExportOut, **refusals(401, 404)})
def export(request: HttpRequest) -> dict[str, Any]:
    return services.export_data(services.access_own_person(request.user))


@router.get("/me/access-log", response={200: list[AccessLogOut], **refusals(401, 404)})
def my_access_log(request: HttpRequest) -> list[dict[str, Any]]:
    return services.access_log(services.access_own_person(request.user))


@router.post("/me/corrections", response={201: CorrectionOut, **refusals(400, 401, 403, 404)})
def request_correction(request: HttpRequest, body: CorrectionIn) -> Status[CorrectionOut]:
    """403 is a failed CSRF check; 400 a field that cannot be corrected, a bad value, or a
    request for the field already waiting."""
    row = services.request_correction(services.access_own_person(request.user),
                                      field=body.field, value=body.value,
                                      comment=body.comment, by=request.user)
    return Status(201, CorrectionOut(id=row.pk, field=row.field, status=row.status))
