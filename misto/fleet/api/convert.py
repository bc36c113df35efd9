"""Rows to the API's shapes (shared by the API and the pages' JSON)."""

from __future__ import annotations

from django.urls import reverse

from misto.fleet.api.schemas import (
    FleetDayOut,
    FleetFuelEventOut,
    FleetTripOut,
    FleetVehicleOut,
    FleetWaybillOut,
)
from misto.fleet.models import Vehicle, VehicleState, Waybill
from misto.fleet.services import days, fuel
from misto.fleet.services.waybills import person


def vehicle_out(vehicle: Vehicle) -> FleetVehicleOut:
    state: VehicleState | None = getattr(vehicle, "state", None)
    level = None
    if state is not None:
        level = fuel.current(fuel.Memory(raw=tuple(state.fuel_raw),
                                         medians=tuple(state.fuel_medians),
                                         level=state.fuel_level))
    return FleetVehicleOut(
        id=vehicle.pk, plate=vehicle.plate, kind=vehicle.kind,
        kind_label=str(vehicle.get_kind_display()), make=vehicle.make,
        department=vehicle.department, has_gps=bool(vehicle.tracker_uid or vehicle.token_hash),
        fixed_at=state.fixed_at if state else None, lon=state.lon if state else None,
        lat=state.lat if state else None, speed_kmh=state.speed_kmh if state else None,
        heading=state.heading if state else None,
        on_trip=bool(state and state.trip_id), fuel_l=round(level, 1) if level is not None
        else None, fuel_percent=round(100 * level / vehicle.tank_l) if level is not None
        else None, url=reverse("fleet:vehicle", args=[vehicle.pk]))


def day_out(day: days.Day) -> FleetDayOut:
    return FleetDayOut(
        vehicle_id=day.vehicle.pk, day=day.day, distance_km=day.distance_km,
        odometer_start_km=day.odometer_start_km, odometer_end_km=day.odometer_end_km,
        fuel_start_l=day.fuel_start_l, fuel_end_l=day.fuel_end_l,
        refuelled_l=day.refuelled_l, drained_l=day.drained_l, fuel_used_l=day.fuel_used_l,
        l_per_100km=day.l_per_100km, norm_l=day.norm_l,
        trips=[FleetTripOut(id=t.pk, started_at=t.started_at, ended_at=t.ended_at,
                            distance_km=round(t.distance_m / 1000, 2),
                            max_speed_kmh=t.max_speed_kmh, fuel_used_l=t.fuel_used_l(),
                            l_per_100km=t.l_per_100km(), refuelled_l=t.refuelled_l,
                            drained_l=t.drained_l) for t in day.trips],
        fuel_events=[FleetFuelEventOut(kind=e.kind, at=e.at, litres=e.litres,
                                       level_before=e.level_before,
                                       level_after=e.level_after, lon=e.lon, lat=e.lat)
                     for e in day.events])


def waybill_out(waybill: Waybill) -> FleetWaybillOut:
    return FleetWaybillOut(
        id=waybill.pk, number=waybill.number, vehicle_id=waybill.vehicle_id,
        plate=waybill.vehicle.plate, day=waybill.day, status=waybill.status,
        driver=person(waybill.driver),
        approved_by=person(waybill.approved_by) if waybill.approved_by_id else None,
        approved_at=waybill.approved_at, departed_at=waybill.departed_at,
        returned_at=waybill.returned_at, odometer_start_km=waybill.odometer_start_km,
        odometer_end_km=waybill.odometer_end_km, distance_km=waybill.distance_km,
        trips=waybill.trips, fuel_start_l=waybill.fuel_start_l,
        fuel_end_l=waybill.fuel_end_l, fuel_issued_l=waybill.fuel_issued_l,
        fuel_drained_l=waybill.fuel_drained_l, fuel_norm_l=waybill.fuel_norm_l,
        fuel_actual_l=waybill.fuel_actual_l,
        pdf=reverse("fleet:waybill-pdf", args=[waybill.pk]))
