"""The signed-in driver: start and stop sessions, pay one left unpaid, book, ask for a permit."""

from __future__ import annotations

import uuid

from django.http import HttpRequest
from ninja import Router, Status
from ninja.security import django_auth

from misto.core.schemas import refusals
from misto.parking import services
from misto.parking.api.convert import booking_out, session_out
from misto.parking.api.schemas import (
    ParkingBookingIn,
    ParkingBookingOut,
    ParkingPermitIn,
    ParkingPermitOut,
    ParkingSessionOut,
    ParkingStartIn,
)
from misto.parking.models import Permit

router = Router(tags=["parking: resident"], auth=django_auth)


@router.get("/sessions", response={200: list[ParkingSessionOut], **refusals(401)},
            summary="My parking sessions, newest first")
def my_sessions(request: HttpRequest) -> list[ParkingSessionOut]:
    return [session_out(s) for s in services.sessions_of(request.user)[:100]]


@router.post("/sessions", response={201: ParkingSessionOut, **refusals(401, 403, 404, 409)},
             summary="Start a session: plate and lot (and the zone on the sign)")
def start(request: HttpRequest, body: ParkingStartIn) -> Status[ParkingSessionOut]:
    lot = services.access_lot(body.lot)
    checked = services.check_start(request.user, body.registration_number, lot,
                                   zone_code=body.zone, place_number=body.place)
    return Status(201, session_out(services.do_start(checked)))


@router.post("/sessions/{session_id}/stop",
             response={200: ParkingSessionOut, **refusals(401, 404, 409, 503)},
             summary="Stop my session and pay the minutes used (the receipt)")
def stop(request: HttpRequest, session_id: uuid.UUID) -> ParkingSessionOut:
    return session_out(services.stop_by_driver(
        services.access_session(request.user, session_id)))


@router.post("/sessions/{session_id}/pay",
             response={200: ParkingSessionOut, **refusals(401, 404, 409, 503)},
             summary="Pay a stopped session the wallet could not pay then")
def pay(request: HttpRequest, session_id: uuid.UUID) -> ParkingSessionOut:
    return session_out(services.do_pay(services.access_session(request.user, session_id)))


@router.get("/bookings", response={200: list[ParkingBookingOut], **refusals(401)},
            summary="My bookings, latest first")
def my_bookings(request: HttpRequest) -> list[ParkingBookingOut]:
    return [booking_out(b) for b in services.bookings_of(request.user)[:100]]


@router.post("/bookings", response={201: ParkingBookingOut, **refusals(401, 404, 409, 503)},
             summary="Book a place for a time window (half-hours), paid now")
def book(request: HttpRequest, body: ParkingBookingIn) -> Status[ParkingBookingOut]:
    lot = services.access_lot(body.lot)
    checked = services.check_booking(request.user, body.registration_number, lot,
                                     body.starts_at, body.ends_at)
    return Status(201, booking_out(services.do_book(checked)))


@router.post("/bookings/{booking_id}/cancel",
             response={200: ParkingBookingOut, **refusals(401, 404, 409, 503)},
             summary="Cancel my booking before its deadline: the place is freed, the money "
                     "returned")
def cancel_booking(request: HttpRequest, booking_id: uuid.UUID) -> ParkingBookingOut:
    return booking_out(services.do_cancel(services.access_booking(request.user, booking_id)))


def _permit_out(permit: Permit) -> ParkingPermitOut:
    return ParkingPermitOut(registration_number=permit.plate, zone=permit.zone.code,
                            kind=permit.kind, valid_from=permit.valid_from,
                            valid_until=permit.valid_until)


@router.get("/permits", response={200: list[ParkingPermitOut], **refusals(401)},
            summary="My parking permits")
def my_permits(request: HttpRequest) -> list[ParkingPermitOut]:
    return [_permit_out(p) for p in
            services.permits_of(request.user)[:100]]


@router.post("/permits", response={201: ParkingPermitOut, **refusals(401, 403, 404)},
             summary="A resident's permit for a residents' zone of my district")
def ask_permit(request: HttpRequest, body: ParkingPermitIn) -> Status[ParkingPermitOut]:
    checked = services.check_permit(request.user, body.registration_number,
                                     services.access_zone(body.zone))
    return Status(201, _permit_out(services.do_permit(checked)))
