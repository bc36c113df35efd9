"""Staff: the dispatchers' map and days of the municipal vehicles, the waybills (fill,
approve), and the IT administrator's vehicle registry."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.security import django_auth

from misto.core.permissions import can, require
from misto.core.schemas import DbId, refusals
from misto.fleet import permissions as perms
from misto.fleet.api import convert
from misto.fleet.api.schemas import (
    FleetDayOut,
    FleetVehicleIn,
    FleetVehicleKeyOut,
    FleetVehicleOut,
    FleetWaybillIn,
    FleetWaybillOut,
)
from misto.fleet.models import Vehicle, Waybill
from misto.fleet.services import days, vehicles, waybills

router = Router(tags=["fleet: staff"], auth=django_auth)


class FleetDayQuery(Schema):
    day: date | None = None


class FleetWaybillQuery(Schema):
    vehicle_id: DbId | None = None
    day: date | None = None


@router.get("/vehicles", response={200: list[FleetVehicleOut], **refusals(401, 403)},
            summary="The municipal vehicles now: where, how fast, on a trip, fuel")
def vehicle_list(request: HttpRequest) -> list[FleetVehicleOut]:
    require(request.user, perms.VEHICLE_VIEW)
    return [convert.vehicle_out(v) for v in
            Vehicle.objects.filter(active=True).select_related("state")
            if can(request.user, perms.VEHICLE_VIEW, v)]


@router.post("/vehicles", response={201: FleetVehicleKeyOut, **refusals(401, 403)},
             summary="Register a vehicle (or update it by plate); its OsmAnd key, shown once")
def register(request: HttpRequest, body: FleetVehicleIn) -> Status[FleetVehicleKeyOut]:
    require(request.user, perms.VEHICLE_MANAGE)
    draft = vehicles.check_vehicle(vehicles.VehicleDraft(**body.dict()))
    vehicle, key = vehicles.do_register(draft)
    return Status(201, FleetVehicleKeyOut(id=vehicle.pk, plate=vehicle.plate, key=key))


@router.get("/vehicles/{vehicle_id}/day", response={200: FleetDayOut, **refusals(401, 404)},
            summary="A vehicle's day: trips, km, fuel used per 100 km, refuels and drains")
def vehicle_day(request: HttpRequest, vehicle_id: DbId,
                query: Query[FleetDayQuery]) -> FleetDayOut:
    vehicle = vehicles.access_vehicle(request.user, vehicle_id)
    return convert.day_out(days.day_of(vehicle, query.day or timezone.localdate()))


@router.get("/waybills", response={200: list[FleetWaybillOut], **refusals(401, 403)},
            summary="Waybills, per vehicle and day")
def waybill_list(request: HttpRequest,
                 query: Query[FleetWaybillQuery]) -> list[FleetWaybillOut]:
    require(request.user, perms.VEHICLE_VIEW)
    rows = Waybill.objects.select_related("vehicle", "driver", "approved_by")
    if query.vehicle_id:
        rows = rows.filter(vehicle_id=query.vehicle_id)
    if query.day:
        rows = rows.filter(day=query.day)
    return [convert.waybill_out(w) for w in rows[:500]
            if can(request.user, perms.VEHICLE_VIEW, w)]


@router.post("/waybills", response={201: FleetWaybillOut, **refusals(401, 403, 404, 409)},
             summary="Fill (or refill) a vehicle's waybill for a day from GPS and fuel data")
def fill(request: HttpRequest, body: FleetWaybillIn) -> Status[FleetWaybillOut]:
    require(request.user, perms.WAYBILL_FILL)
    vehicle = vehicles.access_vehicle(request.user, body.vehicle_id)
    filled = waybills.check_fill(request.user, vehicle, body.day, body.driver_id)
    return Status(201, convert.waybill_out(waybills.do_fill(filled)))


@router.post("/waybills/{waybill_id}/approve",
             response={200: FleetWaybillOut, **refusals(401, 403, 404, 409)},
             summary="Approve a waybill (a dispatcher who is not its driver)")
def approve(request: HttpRequest, waybill_id: DbId) -> FleetWaybillOut:
    require(request.user, perms.WAYBILL_APPROVE)
    waybill = waybills.check_approve(request.user,
                                     waybills.access_waybill(request.user, waybill_id))
    return convert.waybill_out(waybills.do_approve(request.user, waybill))
