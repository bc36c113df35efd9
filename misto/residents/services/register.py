"""The register: adding people, changing them, linking accounts, benefits and households.

Every change to a person goes through :func:`_record`, which writes a :class:`PersonChange`
(who, when, on what basis, the new state, encrypted) and publishes
``residents.RegisterChanged`` in the same transaction. Each function validates everything
first (:func:`~misto.residents.services.validation.clean_person`) and writes only then.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from misto.core.bus import publish
from misto.core.config import env_str
from misto.core.permissions import can
from misto.residents import rnokpp as rnokpp_rules
from misto.residents.crypto import blind_index
from misto.residents.errors import ResidentsCode, ResidentsError
from misto.residents.events import RegisterChanged
from misto.residents.models import (
    VERIFICATION_RANK,
    BenefitCategory,
    HouseholdLink,
    Person,
    PersonBenefit,
    PersonChange,
    Verification,
)
from misto.residents.services.validation import PERSONAL_FIELDS, REGISTER_FIELDS, clean_person


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
        raise ResidentsError(ResidentsCode.BASIS_REQUIRED,
                             _("A change to the register needs a basis."))
    cleaned, errors = clean_person(data, check_address=check_address)
    duplicate = None if errors else _duplicate_of(cleaned)
    if duplicate:
        errors[duplicate] = _("already in the register")
    if errors:
        raise ResidentsError(ResidentsCode.INVALID_PERSON,
                             _("The person's data is not valid."), errors=errors)
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
        raise ResidentsError(ResidentsCode.INVALID_PERSON,
                             _("The person's data is not valid."), errors=errors)
    candidate = Person(district=cleaned["district"])
    if not can(by, "residents.person.create", candidate):
        raise PermissionDenied("residents.person.create")
    return create_person(cleaned, by=by, basis=basis, verification=Verification.CLERK,
                         check_address=False)


def check_changes(person: Person, changes: dict[str, Any], *, basis: str) -> dict[str, Any]:
    """The fields of ``person`` that ``changes`` really changes, with their new values (an
    address with its twin point and district), or :class:`ResidentsError`; nothing is
    touched. The whole state is re-validated, but only the changed fields' errors count."""
    if not basis.strip():
        raise ResidentsError(ResidentsCode.BASIS_REQUIRED,
                             _("A change to the register needs a basis."))
    unknown = set(changes) - set(PERSONAL_FIELDS) - {"verification"}
    if unknown:
        raise ResidentsError(ResidentsCode.UNKNOWN_FIELD,
                             _("Unknown fields: %(fields)s") % {
                                 "fields": ", ".join(sorted(unknown))})
    if "verification" in changes and changes["verification"] not in Verification.values:
        raise ResidentsError(ResidentsCode.INVALID_PERSON, _("Unknown verification level."))
    current = {name: getattr(person, name) for name in PERSONAL_FIELDS}
    merged = {**current, **changes}
    cleaned, errors = clean_person(
        merged, check_address=bool({"address", "declared_address"} & set(changes)))
    errors = {name: reason for name, reason in errors.items() if name in changes}
    duplicate = None if errors else _duplicate_of(cleaned, exclude=person.pk)
    if duplicate and duplicate in changes:
        errors[duplicate] = _("already in the register")
    if errors:
        raise ResidentsError(ResidentsCode.INVALID_PERSON,
                             _("The person's data is not valid."), errors=errors)
    new = {name: changes[name] if name == "verification" else cleaned[name]
           for name in changes}
    new = {name: value for name, value in new.items() if getattr(person, name) != value}
    if "address" in new:
        new.update(address_point_id=cleaned["address_point_id"], district=cleaned["district"])
    if "declared_address" in new:
        new["declared_point_id"] = cleaned["declared_point_id"]
    return new


def do_change_person(person: Person, new: dict[str, Any], *, by: Any, basis: str,
                     action: str) -> Person:
    """Write the checked ``new`` values (:func:`check_changes`) as the next version, with
    its history record and event; the version is taken under the row's lock."""
    if not new:
        return person
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        for name, value in new.items():
            setattr(person, name, value)
        person.version = locked.version + 1
        person.updated_at = timezone.now()
        _set_indexes(person)
        person.save()
        # The history names the fields asked for, not the district and point that follow.
        fields = sorted(name for name in new if name in (*PERSONAL_FIELDS, "verification"))
        _record(person, action, fields, by, basis)
    return person


def change_person(person: Person, changes: dict[str, Any], *, by: Any, basis: str,
                  action: str = "changed") -> Person:
    """Change some fields of a person, keeping history (check, then change)."""
    return do_change_person(person, check_changes(person, changes, basis=basis), by=by,
                            basis=basis, action=action)


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
        raise ResidentsError(ResidentsCode.INVALID_BENEFIT,
                             _("The benefit is not valid."), errors=errors)
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
        raise ResidentsError(ResidentsCode.INVALID_RELATION,
                             _("Unknown relation."), errors={"relation": _("unknown")})
    if member.pk == person.pk:
        raise ResidentsError(ResidentsCode.INVALID_RELATION,
                             _("A person is not their own household member."))
    if not basis.strip():
        raise ResidentsError(ResidentsCode.BASIS_REQUIRED,
                             _("A change to the register needs a basis."))
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


def register_department() -> str:
    return env_str("MISTO_REGISTER_DEPARTMENT", "cnap")
