"""Booking a place in a lot that allows it: a time window in half-hours, paid at the
zone's tariff when booked. One booking per place and half-hour is the database's rule
(``BookingSlot``), so two drivers racing for the last place cannot both get it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from misto.core import payments
from misto.parking import plates
from misto.parking.errors import ParkingCode, ParkingError
from misto.parking.models import Booking, BookingSlot, Lot, Place, Tariff
from misto.parking.services import tariffs as tariff_math
from misto.parking.services.settings import booking_max_hours

SLOT = timedelta(minutes=30)


@dataclass(frozen=True)
class CheckedBooking:
    user: Any
    plate: str
    place: Place
    starts_at: datetime
    ends_at: datetime
    slots: tuple[datetime, ...]


def _slots(start: datetime, end: datetime) -> tuple[datetime, ...]:
    found, at = [], start
    while at < end:
        found.append(at)
        at += SLOT
    return tuple(found)


def _aligned(at: datetime) -> bool:
    return at.second == 0 and at.microsecond == 0 and at.minute % 30 == 0


def check_booking(user: Any, plate_text: str, lot: Lot, starts_at: datetime,
                  ends_at: datetime, *, now: datetime | None = None) -> CheckedBooking:
    now = now or timezone.now()
    plate = plates.normalise(plate_text)
    if not lot.bookable or lot.closed:
        raise ParkingError(ParkingCode.NOT_BOOKABLE, _(
            "Places in lot %(lot)s cannot be booked.") % {"lot": lot.code}, field="lot")
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise ParkingError(ParkingCode.INVALID, _("Give the time with its time zone."),
                           field="starts_at")
    if not (_aligned(starts_at) and _aligned(ends_at)) or starts_at >= ends_at:
        raise ParkingError(ParkingCode.INVALID, _(
            "A booking starts and ends on the hour or half-hour, and ends after it starts."),
            field="starts_at")
    if starts_at < now - SLOT or ends_at - starts_at > timedelta(hours=booking_max_hours()):
        raise ParkingError(ParkingCode.INVALID, _(
            "A booking lies ahead and lasts at most %(hours)s hours.")
            % {"hours": booking_max_hours()}, field="ends_at")
    slots = _slots(starts_at, ends_at)
    taken = BookingSlot.objects.filter(place__lot=lot, start__in=slots).values("place_id")
    place = lot.places.exclude(pk__in=taken).order_by("number").first()
    if place is None:
        raise ParkingError(ParkingCode.BOOKED, _(
            "Every place of lot %(lot)s is booked for that time.") % {"lot": lot.code})
    return CheckedBooking(user, plate, place, starts_at, ends_at, slots)


def do_book(checked: CheckedBooking) -> Booking:
    """Hold the place's half-hours and charge the window (one transaction)."""
    rules = list(Tariff.objects.filter(zone=checked.place.lot.zone_id))
    amount = tariff_math.bill(rules, checked.starts_at, checked.ends_at).amount
    try:
        with transaction.atomic():
            booking = Booking.objects.create(user=checked.user, plate=checked.plate,
                                             place=checked.place, starts_at=checked.starts_at,
                                             ends_at=checked.ends_at, amount=amount)
            BookingSlot.objects.bulk_create([
                BookingSlot(booking=booking, place=checked.place, start=start)
                for start in checked.slots])
            if amount:
                booking.receipt = payments.charge(
                    checked.user, amount, purpose="parking-booking",
                    key=f"booking:{booking.public_id}", memo=checked.place.lot.code)
                booking.save(update_fields=["receipt"])
    except IntegrityError:
        raise ParkingError(ParkingCode.BOOKED, _(
            "This place was booked for that time a moment ago: try again.")) from None
    return booking
