"""The demo city's transport: a generated, valid GTFS feed whose routes follow the twin's
streets (each line is the twin's own driving route between two points of the city, with a
stop about every 450 m), imported through the same checks as any feed, and the vehicles that
``misto simulate transit`` drives along them.

The timetable: weekdays every 8 minutes, weekends and the city's days off every 12, from
05:30 to 23:00, at 20 km/h with 20 s at each stop; the city's days off (``core.workdays``:
its own entries and Ukraine's public holidays) run the weekend service.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta
from typing import IO

from django.conf import settings
from django.utils import timezone

from misto import twin
from misto.core import workdays
from misto.transit.models import Feed, OnboardDevice, Vehicle
from misto.transit.services import feeds, timetable
from misto.transit.services.geometry import Plane, Polyline
from misto.transit.services.positions import token_digest

SPEED_MS = 20 / 3.6
DWELL_S = 20
STOP_SPACING_M = 450
SERVICE_CODES = {"weekday": "wd", "weekend": "we"}
# The demo agency's site is the demo itself, as `make run` serves it.
DEMO_URL = "http://127.0.0.1:8000/transit/"
FIRST, LAST = 5 * 3600 + 1800, 23 * 3600


@dataclass(frozen=True)
class Line:
    route_id: str
    short_name: str
    long_name: str
    color: str
    # Ends as shares of the city's box: (x, y) with 0,0 the south-west corner.
    start: tuple[float, float]
    end: tuple[float, float]
    vehicles: int


LINES = [
    Line("1", "1", "Західний вокзал — Східний ринок", "1C7ED6", (0.08, 0.5), (0.92, 0.5), 5),
    Line("2", "2", "Південна — Північна", "2B8A3E", (0.45, 0.08), (0.45, 0.92), 4),
    Line("3", "3", "Хортицька — Вознесенівка", "E67700", (0.1, 0.15), (0.9, 0.85), 4),
]


def _table(header: list[str], rows: list[list[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def gtfs_zip(files: dict[str, tuple[list[str], list[list[object]]]]) -> bytes:
    """A GTFS zip from ``{filename: (header, rows)}`` (the tests' feeds are built this way)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, (header, rows) in files.items():
            archive.writestr(name, _table(header, rows))
    return buffer.getvalue()


def _line_geometry(line: Line, box: tuple[float, float, float, float]) -> list[tuple[float, float]]:
    west, south, east, north = box
    a = (west + line.start[0] * (east - west), south + line.start[1] * (north - south))
    b = (west + line.end[0] * (east - west), south + line.end[1] * (north - south))
    try:
        found = twin.route(a, b, mode="drive")
        coords = [(round(x, 6), round(y, 6)) for x, y in found.geometry.coords]
    except twin.TwinError:
        coords = [a, b]  # a city without streets yet: a straight line
    # Drop repeated points (a route's joins), which make zero-length segments.
    return [c for i, c in enumerate(coords) if i == 0 or c != coords[i - 1]]


def build_feed(today: date, lines: list[Line] = LINES) -> bytes:
    extent = twin.districts_extent()
    if extent is None:
        raise ValueError("the twin has no districts: load the twin's demo first")
    box = (extent[0], extent[1], extent[2], extent[3])
    stops: list[list[object]] = []
    shapes: list[list[object]] = []
    trips: list[list[object]] = []
    times: list[list[object]] = []
    routes: list[list[object]] = []
    for line in lines:
        coords = _line_geometry(line, box)
        plane = Plane(coords[0][1])
        poly = Polyline.of(plane, coords)
        count = max(2, round(poly.length / STOP_SPACING_M) + 1)
        line_stops = []
        for i in range(count):
            along = poly.length * i / (count - 1)
            lon, lat = poly.point_at(plane, along)
            stop_id = f"{line.route_id}{i + 1:02d}"
            line_stops.append((stop_id, along))
            stops.append([stop_id, f"{line.route_id}-{i + 1:02d}",
                          _stop_name(line, i, count, lon, lat), f"{lat:.6f}", f"{lon:.6f}", 1])
        routes.append([line.route_id, "misto", line.short_name, line.long_name, 3, line.color,
                       "FFFFFF"])
        for direction, path in ((0, coords), (1, list(reversed(coords)))):
            shape_id = f"{line.route_id}-{direction}"
            shapes.extend([shape_id, f"{lat:.6f}", f"{lon:.6f}", k + 1]
                          for k, (lon, lat) in enumerate(path))
            calls = line_stops if direction == 0 else [
                (s, poly.length - a) for s, a in reversed(line_stops)]
            headsign = line.long_name.split(" — ")[-1 if direction == 0 else 0]
            for service, every in (("weekday", 480), ("weekend", 720)):
                start = FIRST + (every // 2 if direction else 0)
                n = 0
                while start <= LAST:
                    trip_id = f"{line.route_id}-{direction}-{SERVICE_CODES[service]}-{n:03d}"
                    trips.append([line.route_id, service, trip_id, headsign, direction,
                                  shape_id])
                    clock = start
                    for seq, (stop_id, along) in enumerate(calls, start=1):
                        if seq > 1:
                            clock += round((along - calls[seq - 2][1]) / SPEED_MS)
                        arrive = clock
                        depart = clock + (DWELL_S if 1 < seq < len(calls) else 0)
                        times.append([trip_id, feeds.format_time(arrive),
                                      feeds.format_time(depart), stop_id, seq])
                        clock = depart
                    start += every
                    n += 1
    valid_from, valid_to = today - timedelta(days=7), today + timedelta(days=365)
    exceptions: list[list[object]] = []
    for offset in range(0, 120):
        day = valid_from + timedelta(days=offset)
        if day.weekday() < 5 and workdays.day_off(day) is not None:
            exceptions += [["weekday", day.strftime("%Y%m%d"), 2],
                           ["weekend", day.strftime("%Y%m%d"), 1]]
    files: dict[str, tuple[list[str], list[list[object]]]] = {
        "agency.txt": (["agency_id", "agency_name", "agency_url", "agency_timezone",
                        "agency_lang"],
                       [["misto", "Міський електротранспорт (демо)", DEMO_URL,
                         settings.TIME_ZONE, "uk"]]),
        "stops.txt": (["stop_id", "stop_code", "stop_name", "stop_lat", "stop_lon",
                       "wheelchair_boarding"], stops),
        "routes.txt": (["route_id", "agency_id", "route_short_name", "route_long_name",
                        "route_type", "route_color", "route_text_color"], routes),
        "trips.txt": (["route_id", "service_id", "trip_id", "trip_headsign", "direction_id",
                       "shape_id"], trips),
        "stop_times.txt": (["trip_id", "arrival_time", "departure_time", "stop_id",
                            "stop_sequence"], times),
        "calendar.txt": (["service_id", "monday", "tuesday", "wednesday", "thursday", "friday",
                          "saturday", "sunday", "start_date", "end_date"],
                         [["weekday", 1, 1, 1, 1, 1, 0, 0, valid_from.strftime("%Y%m%d"),
                           valid_to.strftime("%Y%m%d")],
                          ["weekend", 0, 0, 0, 0, 0, 1, 1, valid_from.strftime("%Y%m%d"),
                           valid_to.strftime("%Y%m%d")]]),
        "shapes.txt": (["shape_id", "shape_pt_lat", "shape_pt_lon", "shape_pt_sequence"],
                       shapes),
        "feed_info.txt": (["feed_publisher_name", "feed_publisher_url", "feed_lang",
                           "feed_version"],
                          [["Misto demo", DEMO_URL, "uk",
                            today.strftime("%Y%m%d")]]),
    }
    if exceptions:
        files["calendar_dates.txt"] = (["service_id", "date", "exception_type"], exceptions)
    return gtfs_zip(files)


def _stop_name(line: Line, index: int, count: int, lon: float, lat: float) -> str:
    """The terminals by the line's name; a stop between by its nearest address, as people
    name stops ("Соборний проспект, 20")."""
    ends = line.long_name.split(" — ")
    if index == 0:
        return ends[0]
    if index == count - 1:
        return ends[-1]
    near = twin.nearest_address(lon, lat)
    if near is not None and near.distance_m < 150 and near.name:
        return near.name
    return f"Маршрут {line.short_name}, зупинка {index + 1}"


def tracker_key(code: str) -> str:
    """A demo vehicle's tracker key, derived from ``SECRET_KEY`` (as the IoT demo's devices'
    secrets are) so that ``misto simulate transit --site`` can post as the tracker. A real
    city's trackers get random keys (``POST /api/transit/vehicles``)."""
    return hmac.new(settings.SECRET_KEY.encode(), f"misto.transit.demo:{code}".encode(),
                    hashlib.sha256).hexdigest()[:32]


def demo_vehicles(lines: list[Line] = LINES) -> list[Vehicle]:
    out = []
    for line in lines:
        for i in range(line.vehicles):
            code = f"{line.route_id}{i + 1:02d}"
            vehicle, _ = Vehicle.objects.update_or_create(
                code=f"bus-{code}", defaults={"label": f"№ {code}", "seats": 28,
                                              "capacity": 90, "active": True,
                                              "token_hash": token_digest(tracker_key(
                                                  f"bus-{code}"))})
            out.append(vehicle)
    return out


# The iot demo's devices in the buses (misto/iot/demo.py: "transit-tracker" as bus-trk-NNNN,
# "passenger-counter" as apc-NNNN), and the wallet demo's validator on the first bus.
DEMO_VALIDATOR = "bus-demo-1"


def link_devices(vehicles: list[Vehicle]) -> int:
    """Each demo bus gets its tracker and passenger counter (the n-th of each), the first
    bus the demo validator; a device linked elsewhere by hand stays there."""
    linked = 0
    for n, vehicle in enumerate(vehicles, start=1):
        for kind, code in ((OnboardDevice.Kind.TRACKER, f"bus-trk-{n:04d}"),
                           (OnboardDevice.Kind.COUNTER, f"apc-{n:04d}")):
            _, created = OnboardDevice.objects.get_or_create(
                kind=kind, code=code, defaults={"vehicle": vehicle})
            linked += created
    if vehicles:
        _, created = OnboardDevice.objects.get_or_create(
            kind=OnboardDevice.Kind.VALIDATOR, code=DEMO_VALIDATOR,
            defaults={"vehicle": vehicles[0]})
        linked += created
    return linked


def load(stdout: IO[str] | None = None) -> None:
    """Idempotent: a feed already there stays (its own import replaced the demo's)."""
    if not Feed.objects.exists():
        data = build_feed(timezone.localdate())
        feed = feeds.import_feed(data, "misto-demo-gtfs.zip")
        timetable.forget()
        if stdout:
            stdout.write(f"transit: demo GTFS feed with {feed.stops.count()} stops, "
                         f"{feed.trips.count()} trips\n")
    vehicles = demo_vehicles()
    link_devices(vehicles)
    if stdout:
        stdout.write(f"transit: {len(vehicles)} demo vehicles with their trackers and "
                     "passenger counters; `misto simulate transit --mqtt` drives them\n")
