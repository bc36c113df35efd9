"""E-waybills: form No. 3 «Подорожній лист службового легкового автомобіля» (Derzhkomstat
order No. 74 of 1998-02-17) for one vehicle and day, filled from the track and the fuel
sensor, approved by a dispatcher who is not its driver (four eyes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from misto import twin
from misto.core.permissions import can
from misto.fleet import permissions as perms
from misto.fleet.errors import FleetCode, FleetError
from misto.fleet.models import Vehicle, Waybill
from misto.fleet.services import days


def access_waybill(user: Any, waybill_id: int, action: str = perms.VEHICLE_VIEW) -> Waybill:
    """The waybill, if ``user`` may ``action`` it; the same 404 when missing or hidden."""
    waybill = Waybill.objects.select_related("vehicle", "driver", "approved_by").filter(
        pk=waybill_id).first()
    if waybill is None or not can(user, action, waybill):
        raise FleetError(FleetCode.NOT_FOUND, _("There is no such waybill."))
    return waybill


@dataclass(frozen=True)
class Filled:
    """Everything ``do_fill`` writes, computed and checked."""

    vehicle: Vehicle
    driver: Any
    by: Any
    day: days.Day
    route: list[dict[str, str]]


def check_fill(user: Any, vehicle: Vehicle, day: date, driver_id: int) -> Filled:
    if day > timezone.localdate():
        raise FleetError(FleetCode.INVALID, _("A waybill is for a day that has begun."),
                         field="day")
    driver = get_user_model().objects.filter(pk=driver_id, is_active=True).first()
    if driver is None:
        raise FleetError(FleetCode.INVALID, _("There is no such driver."), field="driver_id")
    existing = Waybill.objects.filter(vehicle=vehicle, day=day).first()
    if existing is not None and existing.status == Waybill.Status.APPROVED:
        raise FleetError(FleetCode.ALREADY_APPROVED,
                         _("This waybill is approved and can no longer change."))
    summary = days.day_of(vehicle, day)
    if not summary.trips:
        raise FleetError(FleetCode.INVALID, _("The vehicle made no trips that day."),
                         field="day")
    return Filled(vehicle, driver, user, summary, _route(summary))


def _route(summary: days.Day) -> list[dict[str, str]]:
    """Where each trip began and ended, by the twin's nearest address (or coordinates)."""
    def place(lon: float | None, lat: float | None) -> str:
        if lon is None or lat is None:
            return "—"
        found = twin.nearest_address(lon, lat)
        return found.name if found is not None else f"{lat:.5f}, {lon:.5f}"

    stops = []
    for trip in summary.trips:
        local = timezone.localtime(trip.started_at)
        stops.append({"at": local.strftime("%H:%M"), "from": place(trip.start_lon,
                                                                     trip.start_lat),
                      "to": place(trip.end_lon, trip.end_lat),
                      "km": f"{trip.distance_m / 1000:.1f}"})
    return stops


def do_fill(filled: Filled) -> Waybill:
    summary = filled.day
    first, last = summary.trips[0], summary.trips[-1]
    values = {
        "number": f"{filled.vehicle.plate}-{summary.day:%Y%m%d}", "driver": filled.driver,
        "filled_by": filled.by, "filled_at": timezone.now(), "status": Waybill.Status.FILLED,
        "departed_at": first.started_at, "returned_at": last.ended_at,
        "odometer_start_km": summary.odometer_start_km,
        "odometer_end_km": summary.odometer_end_km, "distance_km": summary.distance_km,
        "trips": len(summary.trips), "route": filled.route,
        "fuel_start_l": summary.fuel_start_l, "fuel_end_l": summary.fuel_end_l,
        "fuel_issued_l": summary.refuelled_l, "fuel_drained_l": summary.drained_l,
        "fuel_norm_l": summary.norm_l, "fuel_actual_l": summary.fuel_used_l}
    with transaction.atomic():
        waybill, _created = Waybill.objects.update_or_create(
            vehicle=filled.vehicle, day=summary.day, defaults=values)
    return waybill


def check_approve(user: Any, waybill: Waybill) -> Waybill:
    if not can(user, perms.WAYBILL_APPROVE, waybill):
        raise FleetError(FleetCode.NOT_FOUND, _("There is no such waybill."))
    if waybill.status == Waybill.Status.APPROVED:
        raise FleetError(FleetCode.ALREADY_APPROVED, _("This waybill is already approved."))
    if waybill.driver_id == user.pk:
        raise FleetError(FleetCode.SELF_APPROVAL,
                         _("A driver cannot approve their own waybill."))
    return waybill


def do_approve(user: Any, waybill: Waybill) -> Waybill:
    with transaction.atomic():
        updated = Waybill.objects.filter(pk=waybill.pk, status=Waybill.Status.FILLED).update(
            status=Waybill.Status.APPROVED, approved_by=user, approved_at=timezone.now())
        if not updated:
            raise FleetError(FleetCode.ALREADY_APPROVED,
                             _("This waybill is already approved."))
    waybill.refresh_from_db()
    return waybill


def person(user: Any) -> str:
    """A staff member's name as the form prints it."""
    return (user.get_full_name() or user.get_username()) if user is not None else ""
