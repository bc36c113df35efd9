"""Residents' permits: a plate may park in a residents-only zone of the district where the
register has the resident living (``misto.residents.person_summary``), free of charge,
for ``MISTO_PARKING_PERMIT_DAYS``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from misto import residents
from misto.parking import plates
from misto.parking.errors import ParkingCode, ParkingError
from misto.parking.models import Permit, PermitKind, Zone, ZoneKind
from misto.parking.services.settings import permit_days


@dataclass(frozen=True)
class CheckedPermit:
    user: Any
    plate: str
    zone: Zone
    valid_from: datetime
    valid_until: datetime


def access_zone(code: str) -> Zone:
    zone = Zone.objects.filter(code=str(code).strip()[:20]).first()
    if zone is None:
        raise ParkingError(ParkingCode.NOT_FOUND, _("There is no parking zone %(code)s.")
                           % {"code": str(code)[:20]}, field="zone")
    return zone


def check_permit(user: Any, plate_text: str, zone: Zone, *,
                 now: datetime | None = None) -> CheckedPermit:
    now = now or timezone.now()
    plate = plates.normalise(plate_text)
    if zone.kind != ZoneKind.RESIDENTS:
        raise ParkingError(ParkingCode.INVALID, _(
            "Zone %(zone)s is not a residents' zone: no permit is needed or given there.")
            % {"zone": zone.code}, field="zone")
    summary = residents.person_summary(user) or {}
    if not summary.get("district") or summary["district"] != zone.district:
        raise ParkingError(ParkingCode.NOT_YOUR_DISTRICT, _(
            "The register has no address of yours in this zone's district."), field="zone")
    if Permit.objects.filter(plate=plate, zone=zone, valid_until__gt=now).exists():
        raise ParkingError(ParkingCode.INVALID, _(
            "%(plate)s already has a permit for this zone.")
            % {"plate": plates.shown(plate)}, field="registration_number")
    return CheckedPermit(user, plate, zone, now, now + timedelta(days=permit_days()))


def do_permit(checked: CheckedPermit) -> Permit:
    with transaction.atomic():
        return Permit.objects.create(user=checked.user, plate=checked.plate, zone=checked.zone,
                                     kind=PermitKind.RESIDENT, valid_from=checked.valid_from,
                                     valid_until=checked.valid_until)


def permits_of(user: Any) -> QuerySet[Permit]:
    if not getattr(user, "is_authenticated", False):
        return Permit.objects.none()
    return Permit.objects.filter(user_id=int(user.pk)).select_related("zone")
