"""Booking a place in a lot that allows it: a time window in half-hours, paid at the
zone's tariff when booked. One booking per place and half-hour is the database's rule
(``BookingSlot``), so two drivers racing for the last place cannot both get it.

``check_booking`` returns the price too, so a page shows it before the driver confirms and
``do_book`` charges exactly that. A booking is cancelled, and refunded in full, until
``MISTO_PARKING_BOOKING_CANCEL_MINUTES`` before it starts; its half-hours are freed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from misto.core import payments
from misto.parking import plates
from misto.parking.errors import ParkingCode, ParkingError
from misto.parking.models import Booking, BookingSlot, Lot, Place, Tariff
from misto.parking.services import tariffs as tariff_math
from misto.parking.services.settings import booking_cancel_minutes, booking_max_hours

SLOT = timedelta(minutes=30)
PURPOSE = "parking-booking"


@dataclass(frozen=True)
class CheckedBooking:
    user: Any
    plate: str
    place: Place
    starts_at: datetime
    ends_at: datetime
    slots: tuple[datetime, ...]
    amount: int  # kopiyky: what do_book charges (shown before the driver confirms)


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
    rules = list(Tariff.objects.filter(zone=lot.zone_id))
    amount = tariff_math.bill(rules, starts_at, ends_at).amount
    return CheckedBooking(user, plate, place, starts_at, ends_at, slots, amount)


def do_book(checked: CheckedBooking) -> Booking:
    """Hold the place's half-hours and charge the window (one transaction)."""
    amount = checked.amount
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
                    checked.user, amount, purpose=PURPOSE,
                    key=f"booking:{booking.public_id}", memo=checked.place.lot.code)
                booking.save(update_fields=["receipt"])
    except IntegrityError:
        raise ParkingError(ParkingCode.BOOKED, _(
            "This place was booked for that time a moment ago: try again.")) from None
    return booking


def bookings_of(user: Any) -> QuerySet[Booking]:
    if not getattr(user, "is_authenticated", False):
        return Booking.objects.none()
    return Booking.objects.filter(user_id=int(user.pk)).select_related("place__lot__zone")


def access_booking(user: Any, public_id: Any) -> Booking:
    """The driver's own booking; the same 404 for a missing one and another's."""
    booking = bookings_of(user).filter(public_id=public_id).first()
    if booking is None:
        raise ParkingError(ParkingCode.NOT_FOUND, _("There is no such booking."))
    return booking


def cancel_deadline(booking: Booking) -> datetime:
    return booking.starts_at - timedelta(minutes=booking_cancel_minutes())


def cancellable(booking: Booking, now: datetime | None = None) -> bool:
    return booking.cancelled_at is None and (now or timezone.now()) < cancel_deadline(booking)


def do_cancel(booking: Booking, *, now: datetime | None = None) -> Booking:
    """Cancel before the deadline: the half-hours are freed and the amount refunded (one
    transaction: a refused refund leaves the booking as it was)."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = Booking.objects.select_for_update().select_related("place__lot")\
            .get(pk=booking.pk)
        if booking.cancelled_at is not None:
            raise ParkingError(ParkingCode.NOT_RUNNING, _("This booking is already cancelled."))
        if not cancellable(booking, now):
            raise ParkingError(ParkingCode.TOO_LATE, _(
                "A booking can be cancelled until %(minutes)s minutes before it starts.")
                % {"minutes": booking_cancel_minutes()})
        BookingSlot.objects.filter(booking=booking).delete()
        booking.cancelled_at = now
        if booking.amount and booking.receipt:
            booking.refund_receipt = payments.refund(
                booking.user, booking.amount, purpose=PURPOSE,
                key=f"booking:{booking.public_id}", memo=booking.place.lot.code)
        booking.save(update_fields=["cancelled_at", "refund_receipt"])
    return booking
