"""Validation of a person's data: what every change to the register checks first.

Nothing here writes: :func:`clean_person` returns the normalised fields and the errors by
field, and the callers (``register``, ``corrections``, the bulk import) decide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _

from misto import twin
from misto.residents import rnokpp as rnokpp_rules

# The fields that are personal data, in the order the register shows them.
PERSONAL_FIELDS = ("last_name", "first_name", "patronymic", "birth_date", "rnokpp", "document",
                   "phone", "email", "address", "declared_address")

# What a resident may ask to correct (the rest changes through a clerk with a document).
CORRECTABLE = ("last_name", "first_name", "patronymic", "birth_date", "phone", "email",
               "declared_address")

REGISTER_FIELDS = (*PERSONAL_FIELDS, "district", "address_point_id", "declared_point_id",
                   "verification")

_PHONE_RE = re.compile(r"^\+?[\d\s()-]{9,20}$")

_NAME_RE = re.compile(r"^[^\d<>@#$%^&*=_{}\[\]|\\/]{1,100}$")


def parse_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def normalise_phone(value: str) -> str:
    """+380XXXXXXXXX for Ukrainian numbers written in any usual way."""
    digits = re.sub(r"\D", "", value)
    if len(digits) == 10 and digits.startswith("0"):
        digits = "38" + digits
    if len(digits) == 9:
        digits = "380" + digits
    return "+" + digits


@dataclass(frozen=True)
class AddressMatch:
    point_id: int
    label: str
    district: str  # KATOTTG code of the district
    district_name: str


def match_address(text: str) -> AddressMatch | None:
    """The twin address point a written address names, or None when it is not one point.

    Uses the twin's public search (typo-tolerant) but accepts only a confident, unique
    address hit, so that a misspelt street does not register someone at the wrong house.
    """
    text = (text or "").strip()
    if not text:
        return None
    hits = [hit for hit in twin.search(text, limit=5) if hit.kind == "address"]
    if not hits:
        return None
    best = hits[0]
    if best.score < 0.9 or (len(hits) > 1 and hits[1].score >= best.score):
        return None
    district = twin.district_at(best.lon, best.lat)
    if district is None:
        return None
    return AddressMatch(best.feature_id, best.label, district.katottg, district.name)


def clean_person(data: dict[str, Any], *, require_id: bool = True,
                 check_address: bool = True) -> tuple[dict[str, Any], dict[str, str]]:
    """Validated, normalised fields and the errors by field (nothing is written)."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for name in ("last_name", "first_name", "patronymic"):
        value = " ".join(str(data.get(name) or "").split())
        if not value and name != "patronymic":
            errors[name] = _("required")
        elif value and not _NAME_RE.match(value):
            errors[name] = _("not a name")
        out[name] = value
    try:
        born = parse_date(data.get("birth_date"))
        if born > timezone.localdate() or born.year < 1900:
            errors["birth_date"] = _("not a plausible date of birth")
        out["birth_date"] = born.isoformat()
    except ValueError:
        errors["birth_date"] = _("expected a date as YYYY-MM-DD or DD.MM.YYYY")
    raw_rnokpp = str(data.get("rnokpp") or "").strip()
    out["document"] = " ".join(str(data.get("document") or "").split())
    out["rnokpp"] = ""
    if raw_rnokpp:
        try:
            out["rnokpp"] = rnokpp_rules.validate(raw_rnokpp)
        except rnokpp_rules.RnokppError as error:
            errors["rnokpp"] = {
                "rnokpp_check_digit": _("bad RNOKPP check digit"),
            }.get(error.code, _("an RNOKPP has exactly 10 digits"))
    elif require_id and not out["document"]:
        errors["rnokpp"] = _("an RNOKPP, or an ID document when there is none, is required")
    phone = str(data.get("phone") or "").strip()
    out["phone"] = ""
    if phone:
        if _PHONE_RE.match(phone) and 11 <= len(normalise_phone(phone)) <= 16:
            out["phone"] = normalise_phone(phone)
        else:
            errors["phone"] = _("not a phone number")
    email = str(data.get("email") or "").strip()
    out["email"] = ""
    if email:
        try:
            validate_email(email)
            out["email"] = email.lower()
        except ValidationError:
            errors["email"] = _("not an e-mail address")
    address = " ".join(str(data.get("address") or "").split())
    out["address"] = address
    # Without the check the caller has matched the address already (a bulk import).
    out["address_point_id"] = None if check_address else data.get("address_point_id")
    out["district"] = "" if check_address else str(data.get("district") or "")
    if address and check_address:
        found = match_address(address)
        if found is None:
            errors["address"] = _("unknown address")
        else:
            out.update(address=found.label, address_point_id=found.point_id,
                       district=found.district)
    declared = " ".join(str(data.get("declared_address") or "").split())
    out["declared_address"] = declared
    out["declared_point_id"] = None if check_address else data.get("declared_point_id")
    if declared and check_address:
        found = match_address(declared)  # may be outside the city: kept as written then
        if found is not None:
            out.update(declared_address=found.label, declared_point_id=found.point_id)
    return out, errors
