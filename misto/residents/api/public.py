"""Anyone: whether a register extract was issued under a code, and whether a PDF is exactly
that extract. Only the code, dates and hash are shown: no personal data."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Router, Schema, UploadedFile

from misto.core.schemas import refusals
from misto.residents import services
from misto.residents.errors import ResidentsCode, ResidentsError

router = Router(tags=["residents"], auth=None)
MAX_PDF = 5 * 1024 * 1024


class ExtractOut(Schema):
    code: str
    found: bool
    valid: bool
    file_matches: bool | None = None
    kind: str | None = None
    issued_at: str | None = None
    valid_until: str | None = None
    sha256: str | None = None


def _extract_out(code: str, check: services.ExtractCheck) -> ExtractOut:
    extract = check.extract
    return ExtractOut(
        code=code, found=check.found, valid=check.valid, file_matches=check.file_matches,
        kind=extract.kind if extract else None,
        issued_at=extract.issued_at.isoformat() if extract else None,
        valid_until=extract.valid_until.isoformat() if extract else None,
        sha256=extract.sha256 if extract else None,
    )


@router.get("/extracts/{code}", response={200: ExtractOut, **refusals(400)})
def check_extract(request: HttpRequest, code: str) -> ExtractOut:
    """Whether an extract with this code was issued (``found``) and is still valid; 400 for
    a code with a NUL byte (refused before any route)."""
    return _extract_out(code, services.verify_extract(code[:40]))


@router.post("/extracts/{code}/verify", response={200: ExtractOut, **refusals(400, 413)})
def verify_extract(request: HttpRequest, code: str,
                   file: UploadedFile = File(...)) -> ExtractOut:  # noqa: B008
    """Whether this PDF is exactly the extract issued under this code (413 above 5 MB; 400
    for a malformed form, e.g. a NUL byte in a field)."""
    if file.size is None or file.size > MAX_PDF:
        raise ResidentsError(ResidentsCode.FILE_TOO_LARGE,
                             _("An extract is smaller than 5 MB."), status=413)
    return _extract_out(code, services.verify_extract(code[:40], file.read()))
