"""Register extracts: a PDF confirming the registered address, checked publicly by its code.

Only the PDF's SHA-256 is kept, so the public check tells whether a file is exactly the one
issued without the platform storing the document.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from misto.core.permissions import can
from misto.residents.errors import ResidentsCode, ResidentsError
from misto.residents.models import Extract, Person
from misto.residents.pdf import extract_pdf

EXTRACT_VALID_DAYS = 30


def new_extract_code() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(12))
    return "-".join(raw[i:i + 4] for i in range(0, 12, 4))


def issue_extract(person: Person, *, by: Any, verify_url: str) -> tuple[Extract, bytes]:
    """An extract confirming the registered address, as a PDF; only its hash is kept.

    ``verify_url`` is the public page's address with ``{code}`` where the code goes.
    """
    if not can(by, "residents.extract.create", person):
        raise PermissionDenied("residents.extract.create")
    if not person.address:
        raise ResidentsError(ResidentsCode.NO_ADDRESS, _("No registered address to confirm."))
    code = new_extract_code()
    issued = timezone.now()
    valid_until = timezone.localdate() + timedelta(days=EXTRACT_VALID_DAYS)
    pdf = extract_pdf(person=person, code=code, issued_at=issued, valid_until=valid_until,
                      url=verify_url.replace("{code}", code))
    extract = Extract.objects.create(code=code, person=person, district=person.district,
                                     issued_at=issued, valid_until=valid_until,
                                     sha256=hashlib.sha256(pdf).hexdigest())
    return extract, pdf


@dataclass(frozen=True)
class ExtractCheck:
    found: bool
    valid: bool  # found, not expired and (when a file was given) unaltered
    file_matches: bool | None
    extract: Extract | None


def verify_extract(code: str, pdf: bytes | None = None) -> ExtractCheck:
    code = code.strip().upper()
    extract = Extract.objects.filter(code=code).first() if len(code) <= 32 else None
    if extract is None:
        return ExtractCheck(False, False, None, None)
    matches = None
    if pdf is not None:
        matches = hmac.compare_digest(hashlib.sha256(pdf).hexdigest(), extract.sha256)
    fresh = extract.valid_until >= timezone.localdate()
    return ExtractCheck(True, fresh and matches is not False, matches, extract)
