"""The zones' inspectors: operator assignments of the parking department
(``MISTO_PARKING_DEPARTMENT``), each for one district or all (docs/parking.md, "Inspectors").

A zone's scope is that department and its district (``Zone.scope_department`` /
``scope_district``), so ``can(user, "parking.enforcement.check", zone)`` holds for an
inspector of the zone's district, an inspector of every district, and an operator bound to
no department; a parking inspector of another district is refused there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from misto import twin
from misto.core.models import Role, StaffAssignment
from misto.core.permissions import can, forget_scopes
from misto.parking.errors import ParkingCode, ParkingError
from misto.parking.models import Zone
from misto.parking.permissions import ENFORCEMENT_CHECK
from misto.parking.services.enforcement import Verdict, check_parking
from misto.parking.services.settings import department


@dataclass(frozen=True)
class District:
    code: str  # "" for every district
    name: str
    zones: tuple[str, ...]


def districts() -> list[District]:
    """The districts that hold parking zones (and "every district"), with their zones."""
    by_district: dict[str, list[str]] = {}
    for code, district in Zone.objects.values_list("code", "district").order_by("code"):
        by_district.setdefault(district or "", []).append(code)
    found = [District("", _("every district"), tuple(sorted(
        code for codes in by_district.values() for code in codes)))]
    found += [District(code, twin.district_name(code), tuple(codes))
              for code, codes in sorted(by_district.items()) if code]
    return found


@dataclass(frozen=True)
class Inspector:
    assignment: StaffAssignment
    district: str  # the district's name ("every district")
    zones: tuple[str, ...]


def appointed() -> list[Inspector]:
    """The parking department's operators, with the district and zones each inspects."""
    by_code = {district.code: district for district in districts()}
    rows = StaffAssignment.objects.filter(role=Role.OPERATOR, department=department())\
        .select_related("user").order_by("district", "user__username")
    return [Inspector(row, by_code[row.district].name if row.district in by_code
                      else twin.district_name(row.district),
                      by_code[row.district].zones if row.district in by_code else ())
            for row in rows]


@dataclass(frozen=True)
class CheckedAppointment:
    user: Any
    district: str


def check_appoint(username: str, district: str) -> CheckedAppointment:
    name, district = str(username).strip()[:150], str(district).strip()[:64]
    user = get_user_model().objects.filter(username=name, is_active=True).first()
    if user is None:
        raise ParkingError(ParkingCode.NOT_FOUND, _("There is no active account %(name)s.")
                           % {"name": name}, field="username")
    if district and district not in {d.code for d in districts()}:
        raise ParkingError(ParkingCode.INVALID, _("No parking zone lies in that district."),
                           field="district")
    if StaffAssignment.objects.filter(user=user, role=Role.OPERATOR, department=department(),
                                      district=district).exists():
        raise ParkingError(ParkingCode.INVALID, _(
            "%(name)s is already an inspector there.") % {"name": name}, field="username")
    return CheckedAppointment(user, district)


def do_appoint(checked: CheckedAppointment) -> StaffAssignment:
    try:
        with transaction.atomic():
            row = StaffAssignment.objects.create(user=checked.user, role=Role.OPERATOR,
                                                 department=department(),
                                                 district=checked.district)
    except IntegrityError:
        raise ParkingError(ParkingCode.INVALID, _("This inspector was appointed a moment "
                                                  "ago.")) from None
    forget_scopes(checked.user)
    return row


def access_inspector(assignment_id: int) -> StaffAssignment:
    row = StaffAssignment.objects.filter(pk=assignment_id, role=Role.OPERATOR,
                                         department=department()).select_related("user")\
        .first()
    if row is None:
        raise ParkingError(ParkingCode.NOT_FOUND, _("There is no such inspector."))
    return row


def do_dismiss(row: StaffAssignment) -> None:
    row.delete()
    forget_scopes(row.user)


def check_inspection(user: Any, plate_text: str, lon: float, lat: float,
                     at: Any = None) -> Verdict:
    """The check, for an inspector who may check cars where they stand: an inspector of
    another district is refused in this zone (403) and learns nothing of the plate."""
    verdict = check_parking(plate_text, lon, lat, at)
    if verdict.zone is not None and not can(user, ENFORCEMENT_CHECK, verdict.zone):
        raise ParkingError(ParkingCode.NOT_YOUR_ZONE, _(
            "Zone %(zone)s is not among the zones you inspect.") % {"zone": verdict.zone.code},
            field="location")
    return verdict
