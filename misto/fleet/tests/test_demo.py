"""The demo: a dozen vehicles, yesterday's trips, one refuel and one drain, a waybill to
approve; loading twice changes nothing."""

from __future__ import annotations

import io

import pytest

from misto.fleet import demo
from misto.fleet.models import FuelEvent, Position, RefusedFix, Trip, Vehicle, Waybill
from misto.testing import make_staff

pytestmark = pytest.mark.django_db


def test_the_demo_fleet(city):
    make_staff("demo-operator", "operator")
    make_staff("demo-dispatcher", "dispatcher")
    demo.load(io.StringIO())
    counts = (Vehicle.objects.count(), Position.objects.count(), Trip.objects.count())
    assert counts[0] == 12 and Trip.objects.filter(ended_at__isnull=False).count() >= 30
    assert not RefusedFix.objects.exists()
    assert sorted((e.vehicle.plate, e.kind) for e in FuelEvent.objects.all()) == [
        ("AP1001KM", "refuel"), ("AP1002KM", "drain")]
    waybill = Waybill.objects.get()
    assert waybill.status == "filled" and waybill.fuel_issued_l == pytest.approx(30, abs=2)
    demo.load(io.StringIO())
    assert (Vehicle.objects.count(), Position.objects.count(), Trip.objects.count()) == counts
    assert FuelEvent.objects.count() == 2 and Waybill.objects.count() == 1
