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
from misto.testing.world import EAST_DISTRICT, make_resident

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
