"""The fleet tests' world: the named city, one car with a tracker and a fuel sensor, and
helpers that make a synthetic track along Шевченка (west-east on 47.82) and noisy fuel."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from misto import twin
from misto.fleet.models import Vehicle
from misto.fleet.services import tracking, vehicles
from misto.testing import world

KYIV = ZoneInfo("Europe/Kyiv")
DAY = datetime(2026, 12, 2, 0, 0, tzinfo=KYIV)  # a Wednesday, before the tests' today
LAT = 47.82


@pytest.fixture(autouse=True)
def _fresh_city_box() -> Any:
    twin.forget_city_box()
    yield
    twin.forget_city_box()


@pytest.fixture
def city(db: Any) -> Any:
    return world.build_city()


@pytest.fixture
def car(city: Any) -> tuple[Vehicle, str]:
    vehicle, key = vehicles.do_register(vehicles.check_vehicle(vehicles.VehicleDraft(
        "ap 0001 km", "car", "Škoda Octavia", "transport", 50, 8.0, "trk-t1", "fuel-t1",
        12_000)))
    return vehicle, key


def at(hour: float) -> datetime:
    return DAY + timedelta(hours=hour)


def drive(start: datetime, lon0: float, lon1: float, minutes: int, *,
          fuel: tuple[float, float] | None = None, noise: float = 0.0,
          seed: int = 1) -> list[tracking.Reading]:
    """A fix every 20 s moving east along 47.82 from ``lon0`` to ``lon1`` with the ignition
    on, then one standing fix with it off; fuel falling linearly from ``fuel[0]`` to
    ``fuel[1]`` with Gaussian noise (and the odd slosh)."""
    rng = random.Random(seed)
    steps = minutes * 3
    rows = []
    for i in range(1, steps + 1):
        ts = start + timedelta(seconds=20 * i)
        lon = lon0 + (lon1 - lon0) * i / steps
        litres = None
        if fuel is not None:
            litres = fuel[0] + (fuel[1] - fuel[0]) * i / steps + rng.gauss(0, noise)
            if rng.random() < 0.05:
                litres += rng.choice((-5, 5))  # a slosh on a bump
        rows.append(tracking.Reading(ts, tracking.Fix(ts, lon, LAT, 40.0, 90.0, True),
                                     litres))
    end = start + timedelta(seconds=20 * steps + 30)
    rows.append(tracking.Reading(end, tracking.Fix(end, lon1, LAT, 0.0, 90.0, False),
                                 fuel[1] if fuel else None))
    return rows


def parked(start: datetime, lon: float, minutes: int, level: float, *, noise: float = 0.0,
           change_at: int | None = None, change: float = 0.0, seed: int = 2
           ) -> list[tracking.Reading]:
    """A parked car: a fix and a fuel reading every minute; from minute ``change_at`` the
    level is ``change`` litres different (a refuel or a drain)."""
    rng = random.Random(seed)
    rows = []
    for i in range(1, minutes + 1):
        ts = start + timedelta(minutes=i)
        litres = level + (change if change_at is not None and i >= change_at else 0.0)
        rows.append(tracking.Reading(ts, tracking.Fix(ts, lon, LAT, 0.0, 0.0, False),
                                     litres + rng.gauss(0, noise)))
    return rows
