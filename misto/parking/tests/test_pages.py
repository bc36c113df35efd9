"""Pages, statistics, open data and indicators: what staff and the public read."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from misto.iot.storage import store_readings
from misto.parking import datasets, indicators, services
from misto.parking.models import Lot
from misto.testing import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def day_of_parking(city: Lot, sensors: dict[str, Any], driver: Any) -> Any:
    now = timezone.now().replace(microsecond=0)
    store_readings([(sensors["park-t1"].pk, "occupancy", now - timedelta(minutes=50), 1.0)])
    services.do_start(services.check_start(driver, "AA1234BB", city,
                                           now=now - timedelta(minutes=45)))
    store_readings([(sensors["park-t1"].pk, "occupancy", now - timedelta(minutes=5), 0.0)])
    return now


def test_statistics_per_zone_and_hour_for_staff(day_of_parking: Any) -> None:
    clerk = Client()
    clerk.force_login(make_staff("stats-clerk", "clerk"))
    page = clerk.get("/parking/staff/stats/")
    assert page.status_code == 200
    rows = clerk.get("/api/parking/stats").json()["rows"]
    assert sum(row["sessions"] for row in rows) == 1
    assert sum(row["minutes"] for row in rows) == 40 and sum(r["amount_kop"] for r in rows) == 800
    assert any(row["occupancy_percent"] is not None for row in rows)
    assert Client().get("/api/parking/stats").status_code == 401
    assert clerk.get("/api/parking/stats?day=not-a-day").status_code == 422


def test_public_pages_open_data_and_indicators_hold_nothing_personal(
        day_of_parking: Any, driver: Any) -> None:
    assert Client().get("/parking/").status_code == 200
    zones = Client().get("/api/parking/zones").json()
    assert {zone["code"] for zone in zones} == {"t", "d", "r", "f"}
    published = json.dumps([list(table.produce()) for dataset in datasets.DATASETS
                            for table in dataset.tables], default=str)
    assert "t-1" in published and "AA1234BB" not in published
    start, end = timezone.now() - timedelta(days=1), timezone.now() + timedelta(hours=1)
    by_name = {f.name: f.compute(start, end, None).value for f in indicators.INDICATORS}
    assert by_name == {"parking.lots_on_map": 4, "parking.places_on_map": 7,
                       "parking.sessions_online": 1}
    mine = Client()
    mine.force_login(driver)
    assert mine.get("/parking/sessions/").status_code == 200
    assert "t-1" in mine.get("/cabinet/").content.decode()
