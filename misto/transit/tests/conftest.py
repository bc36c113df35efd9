"""The transit tests' world: the named city's Шевченка street (west-east along 47.82) with
one line of four stops 750 m apart, a trip every 10 minutes from 08:00 (3 minutes between
stops, 30 s dwell), every day; and one registered bus with a tracker key."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from misto import twin
from misto.testing import world
from misto.transit.demo import gtfs_zip
from misto.transit.models import Vehicle
from misto.transit.services import feeds, positions, predictions, realtime, timetable

KYIV = ZoneInfo("Europe/Kyiv")
MONDAY_8 = datetime(2026, 12, 7, 8, 0, tzinfo=KYIV)
LAT = 47.82
STOP_LONS = [35.120, 35.130, 35.140, 35.150]


def files(first: int = 8 * 3600, **changes: Any) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """The small feed's files, the first trip leaving at ``first`` seconds of the service day;
    ``changes`` replace whole files (``stops_txt=(...)``) or remove them (``shapes_txt=None``)."""
    trips, times = [], []
    for n in range(6):
        trip_id = f"T{n}"
        trips.append(["R1", "daily", trip_id, "Схід", 0, "S1"])
        start = first + n * 600
        for i, _lon in enumerate(STOP_LONS):
            arrive = start + i * 210
            depart = arrive + (30 if 0 < i < len(STOP_LONS) - 1 else 0)
            times.append([trip_id, feeds.format_time(arrive), feeds.format_time(depart),
                          f"S{i + 1}", i + 1])
    out: dict[str, Any] = {
        "agency.txt": (["agency_id", "agency_name", "agency_url", "agency_timezone"],
                       [["city", "Міськтранс", "http://127.0.0.1:8000/transit/", "Europe/Kyiv"]]),
        "stops.txt": (["stop_id", "stop_code", "stop_name", "stop_lat", "stop_lon"],
                      [[f"S{i + 1}", f"10{i + 1}", f"Шевченка {i + 1}", LAT, lon]
                       for i, lon in enumerate(STOP_LONS)]),
        "routes.txt": (["route_id", "agency_id", "route_short_name", "route_long_name",
                        "route_type"], [["R1", "city", "7", "Захід — Схід", 3]]),
        "trips.txt": (["route_id", "service_id", "trip_id", "trip_headsign", "direction_id",
                       "shape_id"], trips),
        "stop_times.txt": (["trip_id", "arrival_time", "departure_time", "stop_id",
                            "stop_sequence"], times),
        "calendar.txt": (["service_id", "monday", "tuesday", "wednesday", "thursday", "friday",
                          "saturday", "sunday", "start_date", "end_date"],
                         [["daily", 1, 1, 1, 1, 1, 1, 1, "20260101", "20271231"]]),
        "shapes.txt": (["shape_id", "shape_pt_lat", "shape_pt_lon", "shape_pt_sequence"],
                       [["S1", LAT, 35.115, 1], ["S1", LAT, 35.135, 2],
                        ["S1", LAT, 35.155, 3]]),
    }
    for key, value in changes.items():
        name = key.replace("_txt", ".txt")
        if value is None:
            out.pop(name, None)
        else:
            out[name] = value
    return out


def along(share_of_trip: float) -> tuple[float, float]:
    """A point on Шевченка between the first stop (0) and the last (1)."""
    return (STOP_LONS[0] + share_of_trip * (STOP_LONS[-1] - STOP_LONS[0]), LAT)


@pytest.fixture(autouse=True)
def _fresh_caches() -> Any:
    timetable.forget()
    realtime.forget()
    twin.forget_city_box()
    predictions.forget_segments()
    yield
    timetable.forget()
    realtime.forget()
    twin.forget_city_box()


@pytest.fixture
def city(db: Any) -> Any:
    return world.build_city()


@pytest.fixture
def feed(city: Any) -> Any:
    return feeds.import_feed(gtfs_zip(files()), "small.zip")


@pytest.fixture
def live_feed(city: Any) -> tuple[Any, datetime]:
    """The feed with its first trip having left two minutes ago (real time), for what is read
    over HTTP with the real clock; and that departure's moment."""
    now = datetime.now(KYIV).replace(microsecond=0)
    midnight = now.replace(hour=0, minute=0, second=0)
    first = int((now - midnight).total_seconds()) - 120
    if first < 0:
        first += 86400  # yesterday's service day, past 24:00
    return (feeds.import_feed(gtfs_zip(files(first)), "live.zip"),
            now - timedelta(seconds=120))


@pytest.fixture
def bus(db: Any) -> tuple[Vehicle, str]:
    vehicle = Vehicle.objects.create(code="bus-7", label="№ 7", seats=30, capacity=80)
    return vehicle, positions.issue_token(vehicle)


def fix(share: float, at: datetime, **extra: Any) -> positions.Fix:
    lon, lat = along(share)
    return positions.Fix(lon=lon, lat=lat, fixed_at=at, **extra)


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)
