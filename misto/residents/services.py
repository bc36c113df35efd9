"""Residents' domain operations: the register, personal-data reads, corrections, extracts.

Views, the API and the commands only call these functions. Every change to a person goes
through :func:`_record`, which writes a :class:`PersonChange` (who, when, on what basis,
the new state, encrypted) and publishes ``residents.RegisterChanged`` in the same
transaction. Every read of personal data by someone other than the person goes through
:func:`read_personal`, which checks ``can`` and writes the access log.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from misto.core.bus import publish
from misto.core.config import env_str
from misto.core.permissions import can, roles_of
from misto.core.registry import CabinetPanel, modules
from misto.residents import rnokpp as rnokpp_rules
from misto.residents.crypto import blind_index
from misto.residents.events import RegisterChanged
from misto.residents.models import (
    VERIFICATION_RANK,
    AccessLogEntry,
    CorrectionRequest,
    ExternalIdentity,
    Extract,
    HouseholdLink,
    Person,
    PersonBenefit,
    PersonChange,
    UserSession,
    Verification,
)

# The fields that are personal data, in the order the register shows them.
PERSONAL_FIELDS = ("last_name", "first_name", "patronymic", "birth_date", "rnokpp", "document",
                   "phone", "email", "address", "declared_address")
# What a resident may ask to correct (the rest changes through a clerk with a document).
CORRECTABLE = ("last_name", "first_name", "patronymic", "birth_date", "phone", "email",
               "declared_address")
REGISTER_FIELDS = (*PERSONAL_FIELDS, "district", "address_point_id", "declared_point_id",
                   "verification")


class ResidentsError(Exception):
    """A refused operation; ``code`` is stable, ``errors`` maps fields to reasons."""

    def __init__(self, message: str, code: str = "invalid",
                 errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.errors = errors or {}


# --- Validation ------------------------------------------------------------------------

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
    from misto.twin import district_at, search

    text = (text or "").strip()
    if not text:
        return None
    hits = [hit for hit in search(text, limit=5) if hit.kind == "address"]
    if not hits:
        return None
    best = hits[0]
    if best.score < 0.9 or (len(hits) > 1 and hits[1].score >= best.score):
        return None
    district = district_at(best.lon, best.lat)
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


# --- The register ----------------------------------------------------------------------


def person_ref(person: Person) -> str:
    """An opaque, stable reference for events and the ledger (no personal data)."""
    return blind_index("person", str(person.uuid))


def find_by_rnokpp(value: str) -> Person | None:
    try:
        number = rnokpp_rules.validate(value)
    except rnokpp_rules.RnokppError:
        return None
    return Person.objects.filter(rnokpp_index=blind_index("rnokpp", number)).first()


def snapshot(person: Person) -> dict[str, Any]:
    state: dict[str, Any] = {name: getattr(person, name) for name in REGISTER_FIELDS}
    if person.pk:
        state["benefits"] = [
            [row.category.code, row.valid_from.isoformat(),
             row.valid_until.isoformat() if row.valid_until else None]
            for row in person.benefits.select_related("category").order_by("pk")]
        state["household"] = [[str(row.member.uuid), row.relation]
                              for row in person.household.select_related("member")
                              .order_by("pk")]
    return state


def _record(person: Person, action: str, fields: list[str], by: Any, basis: str) -> None:
    """Keep the change (encrypted) and publish its commitment.

    The record carries 256 random bits (``salt``), so ``change``, its SHA-256, is a hiding
    commitment: the public ledger copies it, and without the salt nobody can test guesses
    (a tax number has only ~5,000 candidates once the birth date is known). The stored,
    encrypted record is the opening: SHA-256 of ``PersonChange.snapshot`` equals ``change``.
    """
    state = snapshot(person)
    record = json.dumps({"action": action, "fields": fields, "basis": basis, "state": state,
                         "version": person.version, "salt": secrets.token_hex(32)},
                        sort_keys=True, ensure_ascii=False)
    PersonChange.objects.create(
        person=person, version=person.version, action=action, fields=fields,
        by=by if getattr(by, "pk", None) else None, basis=basis, snapshot=record,
    )
    acting_resident = by is not None and getattr(by, "pk", None) == person.user_id
    publish(RegisterChanged(
        person_ref=person_ref(person), action=action,
        change=hashlib.sha256(record.encode()).hexdigest(), version=person.version,
        user_id=person.user_id if acting_resident else None,
    ))


def _set_indexes(person: Person) -> None:
    person.rnokpp_index = blind_index("rnokpp", person.rnokpp)
    person.document_index = blind_index("document", person.document.casefold())


def _duplicate_of(cleaned: dict[str, Any], exclude: int | None = None) -> str | None:
    rows = Person.objects.exclude(pk=exclude) if exclude else Person.objects.all()
    if cleaned.get("rnokpp") and rows.filter(
            rnokpp_index=blind_index("rnokpp", cleaned["rnokpp"])).exists():
        return "rnokpp"
    if cleaned.get("document") and rows.filter(
            document_index=blind_index("document", cleaned["document"].casefold())).exists():
        return "document"
    return None


def create_person(data: dict[str, Any], *, by: Any, basis: str,
                  verification: str = Verification.CLERK, user: Any = None,
                  check_address: bool = True) -> Person:
    """Add a person to the register; :class:`ResidentsError` lists every bad field."""
    if not basis.strip():
        raise ResidentsError(_("A change to the register needs a basis."), "basis_required")
    cleaned, errors = clean_person(data, check_address=check_address)
    duplicate = None if errors else _duplicate_of(cleaned)
    if duplicate:
        errors[duplicate] = _("already in the register")
    if errors:
        raise ResidentsError(_("The person's data is not valid."), "invalid_person", errors)
    with transaction.atomic():
        person = Person(verification=verification, user=user,
                        **{name: cleaned[name] for name in cleaned})
        _set_indexes(person)
        person.save()
        _record(person, "created", sorted(cleaned), by, basis)
    return person


def register_person(data: dict[str, Any], *, by: Any, basis: str) -> Person:
    """A clerk adds a person; only within the clerk's scope (the address decides).

    Whether ``by`` may add anyone is checked before the data is read, so a person without
    the right learns nothing from validation messages."""
    if not can(by, "residents.person.create"):
        raise PermissionDenied("residents.person.create")
    cleaned, errors = clean_person(data)
    if errors:
        raise ResidentsError(_("The person's data is not valid."), "invalid_person", errors)
    candidate = Person(district=cleaned["district"])
    if not can(by, "residents.person.create", candidate):
        raise PermissionDenied("residents.person.create")
    return create_person(cleaned, by=by, basis=basis, verification=Verification.CLERK,
                         check_address=False)


def change_person(person: Person, changes: dict[str, Any], *, by: Any, basis: str,
                  action: str = "changed") -> Person:
    """Change some fields of a person, keeping history; the whole state is re-validated."""
    if not basis.strip():
        raise ResidentsError(_("A change to the register needs a basis."), "basis_required")
    unknown = set(changes) - set(PERSONAL_FIELDS) - {"verification"}
    if unknown:
        raise ResidentsError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(
            unknown))}, "unknown_field")
    current = {name: getattr(person, name) for name in PERSONAL_FIELDS}
    merged = {**current, **changes}
    cleaned, errors = clean_person(
        merged, check_address=bool({"address", "declared_address"} & set(changes)))
    errors = {name: reason for name, reason in errors.items() if name in changes}
    duplicate = None if errors else _duplicate_of(cleaned, exclude=person.pk)
    if duplicate and duplicate in changes:
        errors[duplicate] = _("already in the register")
    if errors:
        raise ResidentsError(_("The person's data is not valid."), "invalid_person", errors)
    changed = []
    for name in changes:
        if name == "verification":
            if changes[name] not in Verification.values:
                raise ResidentsError(_("Unknown verification level."), "invalid_person")
            new_value = changes[name]
        else:
            new_value = cleaned[name]
        if getattr(person, name) != new_value:
            setattr(person, name, new_value)
            changed.append(name)
        if name == "address" and "address" in changed:
            person.address_point_id = cleaned["address_point_id"]
            person.district = cleaned["district"]
        if name == "declared_address" and "declared_address" in changed:
            person.declared_point_id = cleaned["declared_point_id"]
    if not changed:
        return person
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        person.version = locked.version + 1
        person.updated_at = timezone.now()
        _set_indexes(person)
        person.save()
        _record(person, action, sorted(changed), by, basis)
    return person


def link_account(person: Person, user: Any, *, basis: str) -> Person:
    """Link a person of the register to the account that proved to be theirs."""
    with transaction.atomic():
        person.user = user
        person.version = Person.objects.select_for_update().get(pk=person.pk).version + 1
        person.updated_at = timezone.now()
        person.save()
        _record(person, "linked", ["user"], user, basis)
    return person


def add_benefit(person: Person, *, category: str, valid_from: date,
                valid_until: date | None, document: str, by: Any, basis: str
                ) -> PersonBenefit:
    """Grant a benefit category for a period, with the document that proves it."""
    from misto.residents.models import BenefitCategory

    errors: dict[str, str] = {}
    found = BenefitCategory.objects.filter(code=category, active=True).first()
    if found is None:
        errors["category"] = _("unknown benefit category")
    if valid_until is not None and valid_until < valid_from:
        errors["valid_until"] = _("ends before it starts")
    if not document.strip():
        errors["document"] = _("required")
    if not basis.strip():
        errors["basis"] = _("required")
    if errors or found is None:
        raise ResidentsError(_("The benefit is not valid."), "invalid_benefit", errors)
    with transaction.atomic():
        benefit = PersonBenefit.objects.create(person=person, category=found,
                                               valid_from=valid_from, valid_until=valid_until,
                                               document=document.strip())
        _bump(person)
        _record(person, "benefit_added", [f"benefit:{found.code}"], by, basis)
    return benefit


def link_household(person: Person, member: Person, *, relation: str, by: Any, basis: str
                   ) -> HouseholdLink:
    """Record that ``member`` belongs to ``person``'s household (both keep the history)."""
    if relation not in HouseholdLink.Relation.values:
        raise ResidentsError(_("Unknown relation."), "invalid_relation",
                             {"relation": _("unknown")})
    if member.pk == person.pk:
        raise ResidentsError(_("A person is not their own household member."),
                             "invalid_relation")
    if not basis.strip():
        raise ResidentsError(_("A change to the register needs a basis."), "basis_required")
    with transaction.atomic():
        link, created = HouseholdLink.objects.get_or_create(
            person=person, member=member, defaults={"relation": relation})
        if not created and link.relation == relation:
            return link
        link.relation = relation
        link.save()
        for side in (person, member):
            _bump(side)
            _record(side, "household_linked", ["household"], by, basis)
    return link


def _bump(person: Person) -> None:
    person.version = Person.objects.select_for_update().get(pk=person.pk).version + 1
    person.updated_at = timezone.now()
    Person.objects.filter(pk=person.pk).update(version=person.version,
                                               updated_at=person.updated_at)


def raise_verification(person: Person, level: str, *, by: Any, basis: str) -> Person:
    """Raise (never lower) a person's verification level."""
    if VERIFICATION_RANK[Verification(level)] <= VERIFICATION_RANK[
            Verification(person.verification)]:
        return person
    return change_person(person, {"verification": level}, by=by, basis=basis,
                         action="verified")


def history(person: Person) -> list[dict[str, Any]]:
    return [{"version": row.version, "action": row.action, "fields": row.fields,
             "at": row.at.isoformat(), "by": _actor_label(row.by) if row.by else "",
             "basis": row.basis}
            for row in person.changes.select_related("by").order_by("version")]


# --- Personal-data reads ---------------------------------------------------------------


def _actor_label(user: Any) -> str:
    if user is None:
        return ""
    roles = ", ".join(roles_of(user)) or ("administrator" if user.is_superuser else "staff")
    return f"{user.get_username()} ({roles})"


def read_personal(person: Person, *, actor: Any, reason: str,
                  fields: tuple[str, ...] = PERSONAL_FIELDS, channel: str = "web"
                  ) -> dict[str, str]:
    """The person's personal fields for ``actor``; logged unless the actor is the person.

    Raises ``PermissionDenied`` when ``can(actor, "residents.person.view_personal",
    person)`` says no, and :class:`ResidentsError` when staff give no reason.
    """
    if not can(actor, "residents.person.view_personal", person):
        raise PermissionDenied("residents.person.view_personal")
    fields = tuple(name for name in fields if name in PERSONAL_FIELDS)
    own = person.user_id is not None and person.user_id == getattr(actor, "pk", None)
    if not own:
        if len(reason.strip()) < 3:
            raise ResidentsError(_("Say why you open this person's data."), "reason_required")
        AccessLogEntry.objects.create(person=person, actor=actor, actor_label=_actor_label(
            actor), fields=list(fields), reason=reason.strip()[:1000], channel=channel)
    return {name: str(getattr(person, name)) for name in fields}


def contact_for(user: Any, *, actor: Any, reason: str,
                fields: tuple[str, ...] = ("phone", "email")) -> dict[str, str]:
    """Public function: a resident's contacts for staff, logged in their access log."""
    person = Person.objects.filter(user=user).first()
    if person is None:
        return {}
    return read_personal(person, actor=actor, reason=reason, fields=fields, channel="module")


def person_summary(user: Any) -> dict[str, Any] | None:
    person = Person.objects.filter(user=user).first() if getattr(user, "pk", None) else None
    if person is None:
        return None
    today = timezone.localdate()
    return {"district": person.district or None, "verification": person.verification,
            "benefits": sorted(benefit.category.code for benefit in active_benefits(person,
                                                                                  today))}


def active_benefits(person: Person, today: date | None = None) -> list[PersonBenefit]:
    today = today or timezone.localdate()
    return [benefit for benefit in person.benefits.select_related("category")
            if benefit.valid_from <= today and (benefit.valid_until is None
                                                or benefit.valid_until >= today)]


def visible_people(actor: Any, *, rnokpp: str = "") -> list[Person]:
    """People whose personal data the actor may open, found by RNOKPP (never everyone).

    Anyone else is "not found", like an absent number: a look-up must not tell a user who
    may not open the person whether the number is in the register.
    """
    found = find_by_rnokpp(rnokpp) if rnokpp else None
    if found is None or not can(actor, "residents.person.view_personal", found):
        return []
    return [found]


# --- The resident's own data -----------------------------------------------------------


def person_of(user: Any) -> Person | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Person.objects.filter(user=user).first()


def export_data(person: Person) -> dict[str, Any]:
    """Everything the platform holds about a person (the resident's data download)."""
    language = get_language()
    return {
        "format": "misto.residents.export/1",
        "generated_at": timezone.now().isoformat(),
        "person": {"uuid": str(person.uuid), **{name: getattr(person, name) for name in
                                                REGISTER_FIELDS},
                   "version": person.version, "created_at": person.created_at.isoformat(),
                   "updated_at": person.updated_at.isoformat()},
        "household": [{"relation": link.relation, "member": link.member.full_name}
                      for link in person.household.select_related("member")],
        "benefits": [{"category": benefit.category.code,
                      "title": benefit.category.title(language),
                      "valid_from": benefit.valid_from.isoformat(),
                      "valid_until": benefit.valid_until.isoformat()
                      if benefit.valid_until else None,
                      "document": benefit.document}
                     for benefit in person.benefits.select_related("category")],
        "history": history(person),
        "access_log": access_log(person),
        "corrections": [{"field": row.field, "new_value": row.new_value, "comment": row.comment,
                         "status": row.status, "created_at": row.created_at.isoformat(),
                         "decision_reason": row.decision_reason}
                        for row in person.corrections.all()],
        "identities": [{"provider": row.provider, "linked_at": row.created_at.isoformat()}
                       for row in ExternalIdentity.objects.filter(user_id=person.user_id)]
        if person.user_id else [],
        "extracts": [row.public() for row in person.extracts.all()],
    }


def audit_log(actor: Any, *, username: str = "", limit: int = 200) -> list[dict[str, Any]]:
    """Staff reads of personal data for auditors: who, when, which fields, why; the person
    appears only as an opaque reference (no personal data)."""
    if not can(actor, "residents.access_log.audit"):
        raise PermissionDenied("residents.access_log.audit")
    rows = AccessLogEntry.objects.select_related("person").order_by("-at", "-pk")
    if username:
        rows = rows.filter(actor__username=username[:150])
    return [{"at": row.at, "who": row.actor_label, "person_ref": person_ref(row.person)[:16],
             "district": row.person.district, "fields": row.fields, "reason": row.reason,
             "channel": row.channel} for row in rows[:limit]]


def access_log(person: Person) -> list[dict[str, Any]]:
    return [{"at": row.at.isoformat(), "who": row.actor_label, "fields": row.fields,
             "reason": row.reason, "channel": row.channel}
            for row in person.access_log.all()[:500]]


def request_correction(person: Person, *, field: str, value: str, comment: str,
                       by: Any) -> CorrectionRequest:
    if field not in CORRECTABLE:
        raise ResidentsError(_("This field cannot be corrected by request."), "bad_field",
                             {"field": _("not correctable")})
    if not can(by, "residents.person.request_correction", person):
        raise PermissionDenied("residents.person.request_correction")
    cleaned, errors = clean_person({**{name: getattr(person, name) for name in
                                       PERSONAL_FIELDS}, field: value}, check_address=False)
    if field in errors:
        raise ResidentsError(_("The correct value is not valid."), "invalid_value",
                             {field: errors[field]})
    if CorrectionRequest.objects.filter(person=person, field=field,
                                        status=CorrectionRequest.Status.PENDING).exists():
        raise ResidentsError(_("A request for this field is already waiting."), "pending")
    return CorrectionRequest.objects.create(person=person, field=field,
                                            new_value=str(cleaned[field]),
                                            comment=comment.strip()[:2000])


def decide_correction(request_id: int, *, approve: bool, reason: str, by: Any
                      ) -> CorrectionRequest:
    """A clerk approves (the register changes, with the request as its basis) or rejects."""
    with transaction.atomic():
        correction = (CorrectionRequest.objects.select_for_update()
                      .select_related("person").filter(pk=request_id).first())
        if correction is None:
            raise ResidentsError(_("No such request."), "not_found")
        if not can(by, "residents.correction.approve", correction):
            raise PermissionDenied("residents.correction.approve")
        if correction.status != CorrectionRequest.Status.PENDING:
            raise ResidentsError(_("This request was already decided."), "decided")
        if not reason.strip() and not approve:
            raise ResidentsError(_("Give the reason for the rejection."), "reason_required")
        if approve:
            change_person(correction.person, {correction.field: correction.new_value}, by=by,
                          basis=_("correction request %(id)s: %(reason)s") % {
                              "id": correction.pk, "reason": reason.strip()},
                          action="corrected")
        correction.status = (CorrectionRequest.Status.APPROVED if approve
                             else CorrectionRequest.Status.REJECTED)
        correction.decided_by = by
        correction.decided_at = timezone.now()
        correction.decision_reason = reason.strip()[:1000]
        correction.save()
    return correction


def pending_corrections(actor: Any) -> list[CorrectionRequest]:
    """Requests the actor may decide; showing a request's value is logged as a read."""
    rows = CorrectionRequest.objects.filter(status=CorrectionRequest.Status.PENDING)
    visible = [row for row in rows.select_related("person")[:500]
               if can(actor, "residents.correction.approve", row)]
    AccessLogEntry.objects.bulk_create(
        AccessLogEntry(person=row.person, actor=actor, actor_label=_actor_label(actor),
                       fields=[row.field], reason=_("review of correction request %(id)s")
                       % {"id": row.pk}, channel="web")
        for row in visible
    )
    return visible


# --- Sessions --------------------------------------------------------------------------


def remember_session(request: HttpRequest, user: Any, method: str) -> None:
    if not request.session.session_key:
        request.session.save()
    UserSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={"user": user, "method": method,
                  "user_agent": request.headers.get("user-agent", "")[:200]},
    )


def sessions_of(user: Any) -> list[UserSession]:
    from django.contrib.sessions.models import Session

    rows = list(UserSession.objects.filter(user=user).order_by("-created_at"))
    alive = set(Session.objects.filter(session_key__in=[row.session_key for row in rows],
                                       expire_date__gt=timezone.now())
                .values_list("session_key", flat=True))
    UserSession.objects.filter(pk__in=[row.pk for row in rows
                                       if row.session_key not in alive]).delete()
    return [row for row in rows if row.session_key in alive]


def end_other_sessions(user: Any, keep: str | None) -> int:
    from django.contrib.sessions.models import Session

    rows = UserSession.objects.filter(user=user).exclude(session_key=keep or "")
    keys = list(rows.values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    rows.delete()
    return len(keys)


# --- Extracts --------------------------------------------------------------------------

EXTRACT_VALID_DAYS = 30


def new_extract_code() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(12))
    return "-".join(raw[i:i + 4] for i in range(0, 12, 4))


def issue_extract(person: Person, *, by: Any, verify_url: str) -> tuple[Extract, bytes]:
    """An extract confirming the registered address, as a PDF; only its hash is kept.

    ``verify_url`` is the public page's address with ``{code}`` where the code goes.
    """
    from misto.residents.pdf import extract_pdf

    if not can(by, "residents.extract.create", person):
        raise PermissionDenied("residents.extract.create")
    if not person.address:
        raise ResidentsError(_("No registered address to confirm."), "no_address")
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


# --- The cabinet -----------------------------------------------------------------------


def cabinet_panels(request: HttpRequest) -> list[CabinetPanel]:
    """Every installed module's panels for this resident: what concerns them now first
    (``CabinetPanel.order``), then in module order."""
    panels = [panel for config in modules() for panel in config.build_cabinet_panels(request)]
    keyed = [panel if panel.key else replace(panel, key=f"panel-{number}")
             for number, panel in enumerate(panels, 1)]  # each section needs an anchor
    return sorted(keyed, key=lambda panel: panel.order)


def register_department() -> str:
    return env_str("MISTO_REGISTER_DEPARTMENT", "cnap")


def field_label(name: str) -> str:
    field = Person._meta.get_field(name)
    return str(getattr(field, "verbose_name", name))
