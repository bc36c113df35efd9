"""Rows to the API's shapes."""

from __future__ import annotations

from misto.parking.api.schemas import (
    ParkingBookingOut,
    ParkingLotOut,
    ParkingSessionOut,
    ParkingTariffOut,
    ParkingZoneOut,
)
from misto.parking.models import Booking, Session, Zone
from misto.parking.services import LotNow


def lot_out(now: LotNow) -> ParkingLotOut:
    lot = now.lot
    return ParkingLotOut(code=lot.code, name=lot.name, name_en=lot.name_en or lot.name,
                         zone=lot.zone.code, zone_kind=lot.zone.kind,
                         district=lot.district or None, lon=round(lot.point.x, 6),
                         lat=round(lot.point.y, 6), places=now.places, free=now.free,
                         disabled_free=now.disabled_free, state=now.state,  # type: ignore[arg-type]
                         bookable=lot.bookable, distance_m=now.distance_m)


def lot_feature(now: LotNow) -> dict[str, object]:
    """A lot as a GeoJSON Feature: its area, and the counts as properties."""
    return {"type": "Feature", "id": now.lot.code,
            "geometry": {"type": "MultiPolygon", "coordinates": now.lot.area.coords},
            "properties": lot_out(now).dict(exclude={"distance_m"})}


def zone_out(zone: Zone) -> ParkingZoneOut:
    return ParkingZoneOut(code=zone.code, name=zone.name, name_en=zone.name_en or zone.name,
                          kind=zone.kind, district=zone.district or None, tariffs=[
                              ParkingTariffOut(weekdays=t.weekdays, start_hour=t.start_hour,
                                               end_hour=t.end_hour,
                                               price_per_hour_kop=t.price_per_hour,
                                               max_stay_minutes=t.max_stay_minutes)
                              for t in zone.tariffs.all()])


def session_out(session: Session) -> ParkingSessionOut:
    return ParkingSessionOut(
        id=str(session.public_id), registration_number=session.plate, lot=session.lot.code,
        zone=session.zone.code, place=session.place.number if session.place else None,
        started_at=session.started_at, ends_at=session.ends_at, stopped_at=session.stopped_at,
        stop_reason=session.stop_reason, status=session.status, minutes=session.minutes,
        amount_kop=session.amount, receipt=session.receipt)


def booking_out(booking: Booking) -> ParkingBookingOut:
    return ParkingBookingOut(id=str(booking.public_id), registration_number=booking.plate,
                             lot=booking.place.lot.code, place=booking.place.number,
                             starts_at=booking.starts_at, ends_at=booking.ends_at,
                             amount_kop=booking.amount, receipt=booking.receipt,
                             cancelled_at=booking.cancelled_at,
                             refund_receipt=booking.refund_receipt)
