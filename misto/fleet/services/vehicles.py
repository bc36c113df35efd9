"""The municipal vehicles: registration, the OsmAnd key, and access."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from misto.core.permissions import can
from misto.fleet import permissions as perms
from misto.fleet.errors import FleetCode, FleetError
from misto.fleet.models import Vehicle


def access_vehicle(user: object, vehicle_id: int,
                   action: str = perms.VEHICLE_VIEW) -> Vehicle:
    """The vehicle, if ``user`` may ``action`` it; the same 404 when missing or hidden."""
    vehicle = Vehicle.objects.filter(pk=vehicle_id).first()
    if vehicle is None or not can(user, action, vehicle):
        raise FleetError(FleetCode.NOT_FOUND, _("There is no such vehicle."))
    return vehicle


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(vehicle: Vehicle, token: str | None = None) -> str:
    """A new key for the vehicle's OsmAnd tracker; only its digest is kept: show it once."""
    token = token or secrets.token_urlsafe(24)
    vehicle.token_hash = token_digest(token)
    vehicle.save(update_fields=["token_hash"])
    return token


def tracker(code: str, token: str) -> Vehicle:
    """The active vehicle whose OsmAnd tracker this is (``id`` = the tracker's device id or
    the plate); the same refusal for an unknown vehicle and a wrong key."""
    vehicle = (Vehicle.objects.filter(tracker_uid=code, active=True).first()
               or Vehicle.objects.filter(plate=code, active=True).first()) if code else None
    if vehicle is None or not token or not vehicle.token_hash or not secrets.compare_digest(
            vehicle.token_hash, token_digest(token)):
        raise FleetError(FleetCode.UNKNOWN_TRACKER, _("Unknown tracker or wrong key."))
    return vehicle


@dataclass(frozen=True)
class VehicleDraft:
    plate: str
    kind: str
    make: str
    department: str
    tank_l: float
    norm_l_per_100km: float
    tracker_uid: str | None
    fuel_sensor_uid: str | None
    odometer_km: float


def check_vehicle(draft: VehicleDraft) -> VehicleDraft:
    """The draft, normalised; refusals name the field. Nothing is written."""
    plate = "".join(draft.plate.upper().split())
    if not 4 <= len(plate) <= 12 or not plate.isalnum():
        raise FleetError(FleetCode.INVALID, _("A plate is 4 to 12 letters and digits."),
                         field="plate")
    if draft.kind not in Vehicle.Kind.values:
        raise FleetError(FleetCode.INVALID, _("Unknown kind of vehicle."), field="kind")
    if not 10 <= draft.tank_l <= 1000:
        raise FleetError(FleetCode.INVALID, _("A fuel tank holds 10 to 1000 litres."),
                         field="tank_l")
    if not 1 <= draft.norm_l_per_100km <= 100:
        raise FleetError(FleetCode.INVALID,
                         _("The norm consumption is 1 to 100 litres per 100 km."),
                         field="norm_l_per_100km")
    for name in ("tracker_uid", "fuel_sensor_uid"):
        uid = getattr(draft, name)
        if uid and Vehicle.objects.filter(**{name: uid}).exclude(plate=plate).exists():
            raise FleetError(FleetCode.INVALID, _("That device sits in another vehicle."),
                             field=name)
    return VehicleDraft(plate, draft.kind, draft.make.strip(), draft.department.strip(),
                        draft.tank_l, draft.norm_l_per_100km, draft.tracker_uid or None,
                        draft.fuel_sensor_uid or None, max(0.0, draft.odometer_km))


def do_register(draft: VehicleDraft) -> tuple[Vehicle, str]:
    """Register (or update) the vehicle by its plate and issue its tracker's key."""
    with transaction.atomic():
        vehicle, _created = Vehicle.objects.update_or_create(plate=draft.plate, defaults={
            "kind": draft.kind, "make": draft.make, "department": draft.department,
            "tank_l": draft.tank_l, "norm_l_per_100km": draft.norm_l_per_100km,
            "tracker_uid": draft.tracker_uid, "fuel_sensor_uid": draft.fuel_sensor_uid,
            "odometer_km": draft.odometer_km, "active": True})
        return vehicle, issue_token(vehicle)
