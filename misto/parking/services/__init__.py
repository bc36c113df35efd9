"""Parking's services, one file per concept; the rest of the module imports from here."""

from misto.parking.services.bookings import (
    CheckedBooking,
    access_booking,
    bookings_of,
    cancel_deadline,
    cancellable,
    check_booking,
    do_book,
    do_cancel,
)
from misto.parking.services.enforcement import Verdict, check_parking, reason_text
from misto.parking.services.inspectors import check_inspection
from misto.parking.services.permits import (
    CheckedPermit,
    access_zone,
    check_permit,
    do_permit,
    permits_of,
)
from misto.parking.services.sessions import (
    CheckedStart,
    access_session,
    check_start,
    do_pay,
    do_start,
    do_stop,
    expire_due,
    sessions_of,
    stop_by_driver,
)
from misto.parking.services.stats import DayStats, ZoneHour, per_zone_and_hour
from misto.parking.services.zones import (
    LotNow,
    access_lot,
    check_lot_area,
    do_create_lot,
    do_create_zone,
    nearest_lots,
    with_free,
    zone_at,
)

__all__ = [
    "CheckedBooking",
    "CheckedPermit",
    "CheckedStart",
    "DayStats",
    "LotNow",
    "Verdict",
    "ZoneHour",
    "access_booking",
    "access_lot",
    "access_session",
    "access_zone",
    "bookings_of",
    "cancel_deadline",
    "cancellable",
    "check_booking",
    "check_inspection",
    "check_lot_area",
    "check_parking",
    "check_permit",
    "check_start",
    "do_book",
    "do_cancel",
    "do_create_lot",
    "do_create_zone",
    "do_pay",
    "do_permit",
    "do_start",
    "do_stop",
    "expire_due",
    "nearest_lots",
    "per_zone_and_hour",
    "permits_of",
    "reason_text",
    "sessions_of",
    "stop_by_driver",
    "with_free",
    "zone_at",
]
