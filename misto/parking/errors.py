"""Parking's refusals (see misto.core.errors)."""

from __future__ import annotations

from enum import StrEnum

from misto.core.errors import MistoError


class ParkingCode(StrEnum):
    NOT_FOUND = "not_found"
    INVALID = "invalid"
    BAD_PLATE = "bad_plate"
    LOT_OUTSIDE_ZONE = "lot_outside_zone"
    LOT_CLOSED = "lot_closed"
    ALREADY_PARKED = "already_parked"
    NOT_RUNNING = "not_running"
    FREE_NOW = "free_now"
    PERMIT_NEEDED = "permit_needed"
    NOT_BOOKABLE = "not_bookable"
    BOOKED = "booked"
    NOT_YOUR_DISTRICT = "not_your_district"
    PLACE_TAKEN = "place_taken"
    TOO_LATE = "too_late"
    NOT_YOUR_ZONE = "not_your_zone"


class ParkingError(MistoError):
    """A request parking refuses; ``status`` follows the code by default."""

    STATUS = {ParkingCode.NOT_FOUND: 404, ParkingCode.ALREADY_PARKED: 409,
              ParkingCode.NOT_RUNNING: 409, ParkingCode.BOOKED: 409,
              ParkingCode.PLACE_TAKEN: 409, ParkingCode.LOT_CLOSED: 409,
              ParkingCode.TOO_LATE: 409, ParkingCode.NOT_YOUR_ZONE: 403,
              ParkingCode.NOT_YOUR_DISTRICT: 403, ParkingCode.PERMIT_NEEDED: 403}

    def __init__(self, code: ParkingCode, message: str, *, status: int | None = None,
                 field: str | None = None) -> None:
        super().__init__(code, message, status=status or self.STATUS.get(code, 400),
                         field=field)
