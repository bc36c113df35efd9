"""Parking's test world, on the named city (misto/testing/world.py): a paid zone round the
clock on Шевченка (lot ``t-1``: places 1 and 2 with sensors, 3 without, 4 for people with
disabilities), a daytime zone, a residents' zone in the west district and a free one in the
east; a driver with money in the wallet."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.gis.geos import Polygon

from misto.parking import services
from misto.parking.models import Lot, PlaceKind, ZoneKind
from misto.testing.world import ON_LESI, ON_SHEVCHENKA, build_city, make_resident

KYIV = ZoneInfo("Europe/Kyiv")
ROUND_THE_CLOCK = [{"weekdays": "1234567", "start_hour": 0, "end_hour": 24,
                    "price_per_hour": 1200, "max_stay_minutes": 120}]
DAYTIME = [{"weekdays": "12345", "start_hour": 8, "end_hour": 20, "price_per_hour": 3000,
            "max_stay_minutes": None}]
EAST_POINT = (35.1700, 47.8200)
DAY_POINT = (35.1400, 47.8200)


def kyiv(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=KYIV)


def box(point: tuple[float, float], half: float) -> Polygon:
    lon, lat = point
    return Polygon.from_bbox((lon - half, lat - half / 1.5, lon + half, lat + half / 1.5))


@pytest.fixture
def city(db: Any) -> Lot:
    """The zones and lots; returns lot ``t-1``."""
    build_city()
    paid = services.do_create_zone("t", "Зона T", box(ON_SHEVCHENKA, 0.004),
                                   tariffs=ROUND_THE_CLOCK)
    lot = services.do_create_lot("t-1", "Шевченка, 1", paid, box(ON_SHEVCHENKA, 0.0004),
                                 places=[("1", "park-t1", PlaceKind.REGULAR),
                                         ("2", "park-t2", PlaceKind.REGULAR),
                                         ("3", None, PlaceKind.REGULAR),
                                         ("4", None, PlaceKind.DISABLED)], bookable=True)
    day = services.do_create_zone("d", "Зона D", box(DAY_POINT, 0.002), tariffs=DAYTIME)
    services.do_create_lot("d-1", "Денна", day, box(DAY_POINT, 0.0003),
                           places=[("1", None, PlaceKind.REGULAR)])
    residents = services.do_create_zone("r", "Зона R", box(ON_LESI, 0.002),
                                         kind=ZoneKind.RESIDENTS)
    services.do_create_lot("r-1", "Лесі Українки", residents, box(ON_LESI, 0.0003),
                           places=[("1", None, PlaceKind.REGULAR)])
    free = services.do_create_zone("f", "Зона F", box(EAST_POINT, 0.002), kind=ZoneKind.FREE)
    services.do_create_lot("f-1", "Східна", free, box(EAST_POINT, 0.0003),
                           places=[("1", None, PlaceKind.REGULAR)])
    return lot


@pytest.fixture
def sensors(city: Lot) -> Iterator[dict[str, Any]]:
    """The lot's two place sensors, registered in the IoT registry."""
    from misto.iot.demo import ensure_catalogue
    from misto.iot.ingest import reset_directory
    from misto.iot.models import Reading
    from misto.iot.rules import reset_rule_index
    from misto.iot.services import register_device

    ensure_catalogue()
    reset_directory()
    reset_rule_index()  # the catalogue's rules are new rows in every test
    yield {uid: register_device(uid, uid, "parking-lpp", lon=35.1300, lat=47.8200)
           for uid in ("park-t1", "park-t2")}
    reset_directory()
    reset_rule_index()
    Reading.objects.all()._raw_delete(Reading.objects.db)


@pytest.fixture
def driver(city: Lot) -> Any:
    """A resident of the west district with 500 UAH in the wallet."""
    from misto.wallet import services as wallet

    user = make_resident("driver")
    account = wallet.access_account(user)
    wallet.demo_pay(wallet.do_start_topup(account, 50_000))
    return user


@pytest.fixture
def broke(city: Lot) -> Any:
    """A resident whose wallet is empty."""
    from misto.wallet import services as wallet

    user = make_resident("broke")
    wallet.access_account(user)
    return user
