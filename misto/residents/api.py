"""The residents' API: a resident's own data, staff look-ups, public extract checks.

Every personal-data read by staff goes through ``services.read_personal`` (logged). Handlers
raise :class:`~misto.residents.errors.ResidentsError`; ``misto/api.py`` answers with its
status and body.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Router, Schema, Status, UploadedFile
from ninja.security import django_auth

from misto.core.permissions import can
from misto.residents import services
from misto.residents.errors import ResidentsCode, ResidentsError, forbidden

router = Router(tags=["residents"])
MAX_PDF = 5 * 1024 * 1024


class CorrectionIn(Schema):
    field: str
    value: str
    comment: str = ""


class CorrectionOut(Schema):
    id: int
    field: str
    status: str


class DecisionIn(Schema):
    approve: bool
    reason: str = ""


class ExtractOut(Schema):
    code: str
    found: bool
    valid: bool
    file_matches: bool | None = None
    kind: str | None = None
    issued_at: str | None = None
    valid_until: str | None = None
    sha256: str | None = None


@router.get("/me", auth=django_auth)
def me(request: HttpRequest) -> dict[str, Any]:
    person = services.access_own_person(request.user)
    data = services.read_personal(person, actor=request.user, reason="own data")
    return {"uuid": str(person.uuid), "verification": person.verification,
            "district": person.district, **data}


@router.get("/me/export", auth=django_auth)
def export(request: HttpRequest) -> dict[str, Any]:
    return services.export_data(services.access_own_person(request.user))


@router.get("/me/access-log", auth=django_auth)
def my_access_log(request: HttpRequest) -> list[dict[str, Any]]:
    return services.access_log(services.access_own_person(request.user))


@router.post("/me/corrections", auth=django_auth, response={201: CorrectionOut})
def request_correction(request: HttpRequest, body: CorrectionIn) -> Status[CorrectionOut]:
    row = services.request_correction(services.access_own_person(request.user), field=body.field,
                                      value=body.value, comment=body.comment,
                                      by=request.user)
    return Status(201, CorrectionOut(id=row.pk, field=row.field, status=row.status))


@router.get("/people", auth=django_auth)
def find_person(request: HttpRequest, rnokpp: str, reason: str) -> dict[str, Any]:
    """Staff: a person by RNOKPP, with the reason written to their access log.

    Staff who may open nobody's personal data are refused before the look-up, so the
    answer is the same whether the number exists or not.
    """
    if not can(request.user, "residents.person.view_personal"):
        raise forbidden(_("You may not open this person's personal data."))
    person = services.access_person(request.user, rnokpp)
    data = services.read_personal(person, actor=request.user, reason=reason, channel="api")
    return {"uuid": str(person.uuid), "verification": person.verification,
            "district": person.district, **data}


@router.post("/corrections/{request_id}/decision", auth=django_auth, response=CorrectionOut)
def decide(request: HttpRequest, request_id: int, body: DecisionIn) -> CorrectionOut:
    correction = services.access_correction(request.user, request_id)
    row = services.decide_correction(correction.pk, approve=body.approve, reason=body.reason,
                                     by=request.user)
    return CorrectionOut(id=row.pk, field=row.field, status=row.status)


def _extract_out(code: str, check: services.ExtractCheck) -> ExtractOut:
    extract = check.extract
    return ExtractOut(
        code=code, found=check.found, valid=check.valid, file_matches=check.file_matches,
        kind=extract.kind if extract else None,
        issued_at=extract.issued_at.isoformat() if extract else None,
        valid_until=extract.valid_until.isoformat() if extract else None,
        sha256=extract.sha256 if extract else None,
    )


@router.get("/extracts/{code}", response=ExtractOut, auth=None)
def check_extract(request: HttpRequest, code: str) -> ExtractOut:
    """Public: whether an extract with this code was issued (no personal data)."""
    return _extract_out(code, services.verify_extract(code[:40]))


@router.post("/extracts/{code}/verify", response=ExtractOut, auth=None)
def verify_extract(request: HttpRequest, code: str,
                   file: UploadedFile = File(...)) -> ExtractOut:  # noqa: B008
    """Public: whether this PDF is exactly the extract issued under this code."""
    if file.size is None or file.size > MAX_PDF:
        raise ResidentsError(ResidentsCode.FILE_TOO_LARGE,
                             _("An extract is smaller than 5 MB."), status=413)
    return _extract_out(code, services.verify_extract(code[:40], file.read()))
