"""Units and organisations: finding them, reading one, placing one on the twin, checking
contacts. Search is by need (the e-services a unit offers and their search words), by name
and by address, in both languages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator, validate_email
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from misto import twin
from misto.core.permissions import can, scope_filter
from misto.core.workdays import Calendar
from misto.directory.errors import DirectoryCode, DirectoryError
from misto.directory.models import Closure, ContactKind, Organisation, Unit
from misto.directory.services.hours import Dated, Hours, OpenStatus, status, window

EDIT = "directory.entry.edit"


def units() -> QuerySet[Unit]:
    return (Unit.objects.filter(organisation__public=True)
            .select_related("organisation")
            .prefetch_related("contacts", "services",
                              Prefetch("closures", queryset=Closure.objects.order_by("start"))))


def words(query: str) -> list[str]:
    return [w for w in re.split(r"[\s,.;:!?«»\"()]+", query.lower()) if len(w) >= 2][:6]


def matching(word: str, *fields: str) -> Q:
    """Any of ``fields`` contains ``word``: its last letter dropped when long ("довідку"
    finds "довідка"), and in lower, capitalised and upper case, because SQLite folds case
    for ASCII only ("амбулаторія" must find "Амбулаторія", "цнап" "ЦНАП")."""
    stem = word[:-1] if len(word) > 4 else word
    condition = Q()
    for variant in {stem, stem.capitalize(), stem.upper()}:
        for name in fields:
            condition |= Q(**{f"{name}__icontains": variant})
    return condition


def search(query: str = "", *, kind: str = "", open_now: bool = False,
           now: datetime | None = None) -> list[tuple[Unit, OpenStatus]]:
    """Units matching every word of ``query`` (by name, organisation, address, landmark or a
    service they offer), with their status now; ``open_now`` keeps only the open ones."""
    rows = units()
    for word in words(query):
        rows = rows.filter(matching(word, "name_uk", "name_en", "organisation__name_uk",
                                    "organisation__name_en", "address", "services__title_uk",
                                    "services__title_en", "services__keywords")
                           | Q(landmark__iexact=word)).distinct()
    if kind:
        rows = rows.filter(organisation__kind=kind)
    now = now or timezone.now()
    calendar = window(timezone.localtime(now).date())
    found = [(unit, status(hours_of(unit, now, calendar), now)) for unit in rows[:200]]
    if open_now:
        found = [(unit, state) for unit, state in found if state.is_open]
    return found


def hours_of(unit: Unit, now: datetime, calendar: Calendar | None = None) -> Hours:
    local = timezone.localtime(now).date()
    closures = [Dated(c.start, c.end, c.reason_uk if _uk() or not c.reason_en else c.reason_en)
                for c in unit.closures.all()]
    return Hours(unit.hours, closures, closed_on_days_off=unit.closed_on_days_off, start=local,
                 calendar=calendar)


def _uk() -> bool:
    from django.utils.translation import get_language

    return not (get_language() or "uk").startswith("en")


def status_of(unit: Unit, now: datetime | None = None) -> OpenStatus:
    now = now or timezone.now()
    return status(hours_of(unit, now), now)


def access_unit(user: Any, slug: str, action: str | None = None) -> Unit:
    """The unit if it is shown (or ``user`` may edit it); otherwise "not found". With an
    ``action``, the user must hold it for the unit's department."""
    unit = units().filter(slug=slug).first() or Unit.objects.select_related(
        "organisation").filter(slug=slug).first()
    visible = unit is not None and (unit.organisation.public or can(user, EDIT, unit))
    if unit is None or not visible:
        raise DirectoryError(DirectoryCode.NOT_FOUND, _("There is no such place."))
    if action is not None and not can(user, action, unit):
        raise PermissionDenied(action)
    return unit


def access_organisation(slug: str) -> Organisation:
    organisation = Organisation.objects.filter(slug=slug, public=True).first()
    if organisation is None:
        raise DirectoryError(DirectoryCode.NOT_FOUND, _("There is no such organisation."))
    return organisation


def editable_units(user: Any) -> QuerySet[Unit]:
    """The units ``user`` may edit: their departments' (all for an unbound assignment)."""
    scopes = scope_filter(user, EDIT)
    rows = Unit.objects.select_related("organisation").order_by("name_uk")
    if scopes is None:
        return rows
    departments = {dept for dept, _district in scopes}
    if "" in departments:
        return rows
    return rows.filter(organisation__department__in=departments)


@dataclass(frozen=True)
class Place:
    lon: float
    lat: float
    address: str
    landmark: str
    district: str


def place(lon: float, lat: float) -> Place:
    """Where a unit is, as the twin answers: inside the city, its address and landmark."""
    try:
        where = twin.locate(lon, lat, n=1)
    except twin.TwinError as error:
        raise DirectoryError(DirectoryCode.BAD_PLACE, error.message, field="location") from None
    if not where.inside_city:
        raise DirectoryError(DirectoryCode.BAD_PLACE,
                             _("This point is outside the city."), field="location")
    address = where.address.name if where.address else ""
    landmark = next((n.number for n in where.landmarks if n.number), "") or ""
    return Place(lon, lat, address, landmark, where.district.katottg if where.district else "")


def check_phone(value: str) -> str:
    """A Ukrainian phone number in E.164 (+380...), or a refusal."""
    # phonenumbers is imported by the two functions that read numbers, not with the
    # services: it costs every process ~0.015 s at start-up.
    import phonenumbers

    raw = (value or "").strip()
    try:
        number = phonenumbers.parse(raw, "UA")
    except phonenumbers.NumberParseException:
        number = None
    if (number is None or not phonenumbers.is_valid_number(number)
            or phonenumbers.region_code_for_number(number) != "UA"):
        raise DirectoryError(
            DirectoryCode.BAD_PHONE,
            _("\"%(value)s\" is not a Ukrainian phone number (for example 061 222 33 44 or "
              "+380 50 123 45 67).") % {"value": raw[:40]}, field="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_display(e164: str) -> str:
    import phonenumbers

    try:
        return phonenumbers.format_number(phonenumbers.parse(e164, "UA"),
                                          phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    except phonenumbers.NumberParseException:
        return e164


def check_contact(kind: str, value: str) -> str:
    """The stored form of a contact, or a refusal naming what is wrong."""
    value = (value or "").strip()
    if kind == ContactKind.PHONE:
        return check_phone(value)
    if kind == ContactKind.EMAIL:
        try:
            validate_email(value)
        except ValidationError:
            raise DirectoryError(DirectoryCode.INVALID,
                                 _("\"%(value)s\" is not an e-mail address.")
                                 % {"value": value[:60]}, field="email") from None
        return value.lower()
    if kind in (ContactKind.WEBSITE, ContactKind.SOCIAL):
        try:
            URLValidator(schemes=["https", "http"])(value)
        except ValidationError:
            raise DirectoryError(DirectoryCode.INVALID,
                                 _("\"%(value)s\" is not a web address (https://...).")
                                 % {"value": value[:60]}, field=kind) from None
        return value
    raise DirectoryError(DirectoryCode.INVALID, _("Unknown kind of contact."), field="kind")
