"""Staff changes to an entry: validate everything first, then change in one transaction and
publish on commit (``EntryChanged``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from misto.core import bus
from misto.directory.errors import DirectoryCode, DirectoryError
from misto.directory.events import EntryChanged
from misto.directory.models import Closure, Contact, ContactKind, Unit
from misto.directory.services.hours import check_hours
from misto.directory.services.places import Place, check_contact, place

MAX_CLOSURE_DAYS = 366


def _changed(unit: Unit, what: str) -> None:
    bus.publish(EntryChanged(unit=unit.slug, department=unit.department, what=what))


def set_hours(unit: Unit, text: str, *, closed_on_days_off: bool | None = None) -> Unit:
    """Replace the weekly hours; an unparseable string is refused and changes nothing."""
    hours = check_hours(text)
    with transaction.atomic():
        unit.hours = hours
        if closed_on_days_off is not None:
            unit.closed_on_days_off = closed_on_days_off
        unit.save(update_fields=["hours", "closed_on_days_off", "updated_at"])
        _changed(unit, "hours")
    return unit


@dataclass(frozen=True)
class CheckedClosure:
    start: date
    end: date
    reason_uk: str
    reason_en: str


def check_closure(start: date, end: date, reason_uk: str, reason_en: str = "") -> CheckedClosure:
    reason_uk, reason_en = (reason_uk or "").strip(), (reason_en or "").strip()
    if not reason_uk:
        raise DirectoryError(DirectoryCode.INVALID, _("Say why the place is closed."),
                             field="reason_uk")
    if end < start:
        raise DirectoryError(DirectoryCode.INVALID, _("The closure ends before it starts."),
                             field="end")
    if (end - start).days > MAX_CLOSURE_DAYS:
        raise DirectoryError(DirectoryCode.INVALID,
                             _("A closure is at most a year; hide the entry instead."),
                             field="end")
    return CheckedClosure(start, end, reason_uk[:200], reason_en[:200])


def add_closure(unit: Unit, checked: CheckedClosure) -> Closure:
    with transaction.atomic():
        closure = Closure.objects.create(unit=unit, start=checked.start, end=checked.end,
                                         reason_uk=checked.reason_uk, reason_en=checked.reason_en)
        _changed(unit, "closures")
    return closure


def remove_closure(unit: Unit, closure_id: int) -> None:
    with transaction.atomic():
        if not unit.closures.filter(pk=closure_id).delete()[0]:
            raise DirectoryError(DirectoryCode.NOT_FOUND, _("There is no such closure."))
        _changed(unit, "closures")


def set_contacts(unit: Unit, contacts: list[tuple[str, str, str]]) -> list[Contact]:
    """Replace the unit's contacts (kind, value, label); one bad value refuses them all."""
    checked = []
    for kind, value, label in contacts:
        if kind not in ContactKind.values:
            raise DirectoryError(DirectoryCode.INVALID, _("Unknown kind of contact."),
                                 field="kind")
        checked.append(Contact(unit=unit, kind=kind, value=check_contact(kind, value),
                               label=(label or "").strip()[:100]))
    with transaction.atomic():
        unit.contacts.all().delete()
        rows = Contact.objects.bulk_create(checked)
        _changed(unit, "contacts")
    return rows


def move(unit: Unit, lon: float, lat: float) -> Unit:
    """Place the unit at a point; the twin gives its address, landmark and district."""
    where: Place = place(lon, lat)
    with transaction.atomic():
        unit.lon, unit.lat = where.lon, where.lat
        unit.address, unit.landmark, unit.district = where.address, where.landmark, where.district
        unit.save()
        _changed(unit, "place")
    return unit
