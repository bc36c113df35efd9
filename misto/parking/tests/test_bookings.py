"""Bookings (one per place and half-hour, held by the database) and residents' permits."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from misto.parking import services
from misto.parking.errors import ParkingError
from misto.parking.models import BookingSlot, Lot, Zone
from misto.testing.world import EAST_DISTRICT, ON_SHEVCHENKA, make_resident

pytestmark = pytest.mark.django_db


def _window(hours_ahead: int = 2, hours: int = 1) -> tuple[Any, Any]:
    start = (timezone.now() + timedelta(hours=hours_ahead)).replace(minute=0, second=0,
                                                                     microsecond=0)
    return start, start + timedelta(hours=hours)


def test_each_place_is_booked_once_per_time(city: Lot, driver: Any) -> None:
    start, end = _window()
    booked = [services.do_book(services.check_booking(driver, f"AA00{n:02d}BB", city, start,
                                                      end)) for n in range(4)]
    assert sorted(b.place.number for b in booked) == ["1", "2", "3", "4"]
    assert booked[0].amount == 1200 and booked[0].receipt.startswith("wallet:")
    with pytest.raises(ParkingError) as full:
        services.check_booking(driver, "AA9999BB", city, start, end)
    assert full.value.code == "booked"
    later = services.check_booking(driver, "AA9999BB", city, end, end + timedelta(hours=1))
    assert later.place.number == "1"
    with pytest.raises(IntegrityError), transaction.atomic():  # the database's own rule
        BookingSlot.objects.create(booking=booked[1], place=booked[0].place, start=start)


def test_bookings_refused(city: Lot, driver: Any) -> None:
    start, end = _window()
    for lot, begin, finish in [(Lot.objects.get(code="d-1"), start, end),  # not bookable
                               (city, start + timedelta(minutes=10), end),  # not aligned
                               (city, end, start),  # backwards
                               (city, start, start + timedelta(hours=13))]:  # too long
        with pytest.raises(ParkingError):
            services.check_booking(driver, "AA1234BB", lot, begin, finish)


def test_permits_come_from_the_register_district(city: Lot, driver: Any) -> None:
    zone = Zone.objects.get(code="r")
    permit = services.do_permit(services.check_permit(driver, "AA1234BB", zone))
    assert permit.plate == "AA1234BB" and permit.valid_until > timezone.now()
    with pytest.raises(ParkingError):  # the same plate again
        services.check_permit(driver, "AA1234BB", zone)
    with pytest.raises(ParkingError) as refused:
        services.check_permit(make_resident("eastern", district=EAST_DISTRICT), "BC0007KA",
                              zone)
    assert refused.value.code == "not_your_district"
    with pytest.raises(ParkingError):  # a paid zone gives no permits
        services.check_permit(driver, "BC0007KA", Zone.objects.get(code="t"))


def _balance(user: Any) -> int:
    from misto.wallet import services as wallet

    return wallet.balance(wallet.access_account(user))


def test_a_booking_cancelled_in_time_frees_the_place_and_returns_the_money(
        city: Lot, driver: Any) -> None:
    start, end = _window(hours_ahead=3, hours=2)
    before = _balance(driver)
    checked = services.check_booking(driver, "AA1234BB", city, start, end)
    assert checked.amount == 2400  # shown before confirming, charged exactly
    booking = services.do_book(checked)
    assert _balance(driver) == before - 2400
    at = start + timedelta(minutes=30)
    assert services.check_parking("AA1234BB", *ON_SHEVCHENKA, at).reason == "booking"
    cancelled = services.do_cancel(booking)
    assert cancelled.cancelled_at is not None and cancelled.refund_receipt.startswith("wallet:")
    assert _balance(driver) == before
    assert not BookingSlot.objects.filter(booking=booking).exists()
    assert services.check_parking("AA1234BB", *ON_SHEVCHENKA, at).reason == "no_session"
    again = services.check_booking(driver, "AA1234BB", city, start, end)  # the place is free
    assert again.place == booking.place
    with pytest.raises(ParkingError) as twice:
        services.do_cancel(cancelled)
    assert twice.value.code == "not_running" and _balance(driver) == before


def test_a_booking_is_not_cancelled_after_its_deadline(city: Lot, driver: Any) -> None:
    start, end = _window(hours_ahead=1)
    booking = services.do_book(services.check_booking(driver, "AA1234BB", city, start, end))
    with pytest.raises(ParkingError) as late:
        services.do_cancel(booking, now=start - timedelta(minutes=10))
    assert late.value.code == "too_late" and late.value.status == 409
    booking.refresh_from_db()
    assert booking.cancelled_at is None and BookingSlot.objects.filter(booking=booking).exists()


def test_another_drivers_booking_is_not_found(city: Lot, driver: Any, broke: Any) -> None:
    from django.test import Client

    start, end = _window()
    booking = services.do_book(services.check_booking(driver, "AA1234BB", city, start, end))
    other = Client()
    other.force_login(broke)
    assert other.post(f"/api/parking/bookings/{booking.public_id}/cancel").status_code == 404
    assert other.post(f"/parking/bookings/{booking.public_id}/cancel/").status_code == 404
    mine = Client()
    mine.force_login(driver)
    answer = mine.post(f"/api/parking/bookings/{booking.public_id}/cancel")
    assert answer.status_code == 200 and answer.json()["cancelled_at"]
