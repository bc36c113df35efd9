"""GTFS static, checked: a feed's zip read and validated in memory, every problem named.

``check_feed(zip bytes) -> CheckedFeed`` writes nothing; :mod:`misto.transit.services.feeds`
imports what it returns. Each problem is ``<file>:<line>: <what>``, the line as a text
editor numbers it (the header is line 1), at most ``MAX_PROBLEMS`` of them.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from misto.transit.errors import FeedProblems
from misto.transit.services.geometry import Plane, Polyline

MAX_ZIP_BYTES = 200 * 1024 * 1024
MAX_PROBLEMS = 1000
REQUIRED = {
    "agency.txt": ("agency_name", "agency_url", "agency_timezone"),
    "stops.txt": ("stop_id", "stop_name", "stop_lat", "stop_lon"),
    "routes.txt": ("route_id", "route_type"),
    "trips.txt": ("route_id", "service_id", "trip_id"),
    "stop_times.txt": ("trip_id", "stop_sequence", "stop_id", "arrival_time", "departure_time"),
}
OPTIONAL = {
    "calendar.txt": ("service_id", "monday", "tuesday", "wednesday", "thursday", "friday",
                     "saturday", "sunday", "start_date", "end_date"),
    "calendar_dates.txt": ("service_id", "date", "exception_type"),
    "shapes.txt": ("shape_id", "shape_pt_lat", "shape_pt_lon", "shape_pt_sequence"),
    "feed_info.txt": ("feed_publisher_name", "feed_publisher_url", "feed_lang"),
}
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
TIME = re.compile(r"^(\d{1,3}):([0-5]\d):([0-5]\d)$")
ROUTE_TYPES = {0, 1, 2, 3, 4, 5, 6, 7, 11, 12} | set(range(100, 1800))
COLOR = re.compile(r"^[0-9A-Fa-f]{6}$")


def parse_time(text: str) -> int | None:
    """GTFS "H:MM:SS" (hours may pass 24) as seconds; None when it is not one."""
    match = TIME.match(text.strip())
    if not match:
        return None
    h, m, s = (int(g) for g in match.groups())
    return h * 3600 + m * 60 + s


def format_time(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def parse_date(text: str) -> date | None:
    try:
        return datetime.strptime(text.strip(), "%Y%m%d").date()
    except ValueError:
        return None


@dataclass
class CheckedFeed:
    """A valid feed, every row parsed; nothing written yet."""

    name: str
    sha256: str
    timezone: str
    publisher: str = ""
    version: str = ""
    agencies: list[dict[str, Any]] = field(default_factory=list)
    stops: dict[str, dict[str, Any]] = field(default_factory=dict)
    routes: dict[str, dict[str, Any]] = field(default_factory=dict)
    services: list[dict[str, Any]] = field(default_factory=list)
    exceptions: list[dict[str, Any]] = field(default_factory=list)
    shapes: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    trips: dict[str, dict[str, Any]] = field(default_factory=dict)
    # trip_id -> [(sequence, stop_id, arrival, departure, distance_m)]
    stop_times: dict[str, list[tuple[int, str, int, int, float]]] = field(default_factory=dict)


class _Reader:
    def __init__(self, archive: zipfile.ZipFile, problems: list[str]) -> None:
        self.names = {name.rsplit("/", 1)[-1]: name for name in archive.namelist()
                      if not name.endswith("/")}
        self.archive = archive
        self.problems = problems

    def problem(self, where: str, what: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(f"{where}: {what}")

    def rows(self, filename: str, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
        if filename not in self.names:
            return []
        try:
            text = self.archive.read(self.names[filename]).decode("utf-8-sig")
        except UnicodeDecodeError:
            self.problem(filename, "not UTF-8 text")
            return []
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = [h.strip() for h in (reader.fieldnames or [])]
        missing = [column for column in required if column not in header]
        if missing:
            self.problem(f"{filename}:1", "missing column(s) " + ", ".join(missing))
            return []
        reader.fieldnames = header
        out = []
        try:
            for row in reader:
                line = reader.line_num
                if None in row:
                    self.problem(f"{filename}:{line}", "more values than columns")
                    continue
                out.append((line, {k: (v or "").strip() for k, v in row.items()}))
        except csv.Error as error:
            self.problem(f"{filename}:{reader.line_num}", f"not CSV ({error})")
        return out


def _float(reader: _Reader, where: str, row: dict[str, str], column: str, low: float,
           high: float) -> float | None:
    try:
        value = float(row[column])
    except ValueError:
        reader.problem(where, f"{column} {row[column]!r} is not a number")
        return None
    if not low <= value <= high:
        reader.problem(where, f"{column} {value} is out of range")
        return None
    return value


def check_feed(data: bytes, name: str = "feed.zip") -> CheckedFeed:
    """Every row of a GTFS zip checked; raises ``FeedProblems`` listing each bad row."""
    if len(data) > MAX_ZIP_BYTES:
        raise FeedProblems([f"{name}: larger than {MAX_ZIP_BYTES // 2**20} MB"])
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise FeedProblems([f"{name}: not a zip file"]) from None
    problems: list[str] = []
    r = _Reader(archive, problems)
    for filename in REQUIRED:
        if filename not in r.names:
            r.problem(filename, "missing file")
    if "calendar.txt" not in r.names and "calendar_dates.txt" not in r.names:
        r.problem("calendar.txt", "missing file (neither calendar.txt nor calendar_dates.txt)")
    feed = CheckedFeed(name=name, sha256=hashlib.sha256(data).hexdigest(), timezone="")

    for line, row in r.rows("agency.txt", REQUIRED["agency.txt"]):
        where = f"agency.txt:{line}"
        try:
            ZoneInfo(row["agency_timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            r.problem(where, f"agency_timezone {row['agency_timezone']!r} is not a time zone")
            continue
        if not row["agency_name"] or not row["agency_url"].startswith(("http://", "https://")):
            r.problem(where, "agency_name and an http(s) agency_url are required")
            continue
        feed.agencies.append({"agency_id": row.get("agency_id", ""), "name": row["agency_name"],
                              "url": row["agency_url"], "timezone": row["agency_timezone"],
                              "lang": row.get("agency_lang", ""),
                              "phone": row.get("agency_phone", "")})
    if feed.agencies:
        feed.timezone = feed.agencies[0]["timezone"]
        if len({a["timezone"] for a in feed.agencies}) > 1:
            r.problem("agency.txt", "all agencies must share one agency_timezone")
    agency_ids = {a["agency_id"] for a in feed.agencies}

    for _line, row in r.rows("feed_info.txt", OPTIONAL["feed_info.txt"]):
        feed.publisher = row["feed_publisher_name"]
        feed.version = row.get("feed_version", "")

    for line, row in r.rows("stops.txt", REQUIRED["stops.txt"]):
        where = f"stops.txt:{line}"
        stop_id = row["stop_id"]
        if not stop_id or stop_id in feed.stops:
            r.problem(where, f"stop_id {stop_id!r} is empty or repeated")
            continue
        lat = _float(r, where, row, "stop_lat", -90, 90)
        lon = _float(r, where, row, "stop_lon", -180, 180)
        if lat is None or lon is None:
            continue
        if not row["stop_name"]:
            r.problem(where, "stop_name is empty")
            continue
        feed.stops[stop_id] = {"code": row.get("stop_code", ""), "name": row["stop_name"],
                               "lon": lon, "lat": lat,
                               "wheelchair": int(row.get("wheelchair_boarding") or 0)
                               if (row.get("wheelchair_boarding") or "0") in "012" else 0}

    for line, row in r.rows("routes.txt", REQUIRED["routes.txt"]):
        where = f"routes.txt:{line}"
        route_id = row["route_id"]
        if not route_id or route_id in feed.routes:
            r.problem(where, f"route_id {route_id!r} is empty or repeated")
            continue
        try:
            route_type = int(row["route_type"])
        except ValueError:
            route_type = -1
        if route_type not in ROUTE_TYPES:
            r.problem(where, f"route_type {row['route_type']!r} is not a GTFS route type")
            continue
        if not row.get("route_short_name") and not row.get("route_long_name"):
            r.problem(where, "route_short_name or route_long_name is required")
            continue
        agency = row.get("agency_id", "")
        if agency and agency not in agency_ids:
            r.problem(where, f"agency_id {agency!r} is not in agency.txt")
            continue
        if len(feed.agencies) > 1 and not agency:
            r.problem(where, "agency_id is required when agency.txt has several agencies")
            continue
        colors = [row.get("route_color", ""), row.get("route_text_color", "")]
        if any(c and not COLOR.match(c) for c in colors):
            r.problem(where, "route_color and route_text_color are six hex digits")
            continue
        feed.routes[route_id] = {"agency_id": agency, "short_name": row.get("route_short_name", ""),
                                 "long_name": row.get("route_long_name", ""),
                                 "route_type": route_type, "color": colors[0],
                                 "text_color": colors[1]}

    services: set[str] = set()
    for line, row in r.rows("calendar.txt", OPTIONAL["calendar.txt"]):
        where = f"calendar.txt:{line}"
        start, end = parse_date(row["start_date"]), parse_date(row["end_date"])
        days = "".join(row[d] for d in DAYS)
        if not re.fullmatch(r"[01]{7}", days):
            r.problem(where, "each weekday column is 0 or 1")
            continue
        if start is None or end is None or end < start:
            r.problem(where, "start_date and end_date are YYYYMMDD, start first")
            continue
        services.add(row["service_id"])
        feed.services.append({"service_id": row["service_id"], "days": days,
                              "start_date": start, "end_date": end})
    for line, row in r.rows("calendar_dates.txt", OPTIONAL["calendar_dates.txt"]):
        where = f"calendar_dates.txt:{line}"
        day = parse_date(row["date"])
        if day is None or row["exception_type"] not in ("1", "2"):
            r.problem(where, "date is YYYYMMDD and exception_type 1 or 2")
            continue
        services.add(row["service_id"])
        feed.exceptions.append({"service_id": row["service_id"], "date": day,
                                "exception_type": int(row["exception_type"])})

    raw_shapes: dict[str, list[tuple[int, float, float]]] = defaultdict(list)
    for line, row in r.rows("shapes.txt", OPTIONAL["shapes.txt"]):
        where = f"shapes.txt:{line}"
        lat = _float(r, where, row, "shape_pt_lat", -90, 90)
        lon = _float(r, where, row, "shape_pt_lon", -180, 180)
        try:
            sequence = int(row["shape_pt_sequence"])
        except ValueError:
            r.problem(where, "shape_pt_sequence is not a whole number")
            continue
        if lat is not None and lon is not None:
            raw_shapes[row["shape_id"]].append((sequence, lon, lat))
    for shape_id, points in raw_shapes.items():
        points.sort()
        if len(points) < 2:
            r.problem("shapes.txt", f"shape {shape_id!r} has fewer than two points")
            continue
        feed.shapes[shape_id] = [(lon, lat) for _, lon, lat in points]

    for line, row in r.rows("trips.txt", REQUIRED["trips.txt"]):
        where = f"trips.txt:{line}"
        trip_id = row["trip_id"]
        if not trip_id or trip_id in feed.trips:
            r.problem(where, f"trip_id {trip_id!r} is empty or repeated")
            continue
        if row["route_id"] not in feed.routes:
            r.problem(where, f"route_id {row['route_id']!r} is not in routes.txt")
            continue
        if row["service_id"] not in services:
            r.problem(where, f"service_id {row['service_id']!r} is not in calendar.txt or "
                             "calendar_dates.txt")
            continue
        shape_id = row.get("shape_id", "")
        if shape_id and shape_id not in feed.shapes:
            r.problem(where, f"shape_id {shape_id!r} is not in shapes.txt")
            continue
        direction = row.get("direction_id", "")
        if direction not in ("", "0", "1"):
            r.problem(where, "direction_id is 0 or 1")
            continue
        feed.trips[trip_id] = {"route_id": row["route_id"], "service_id": row["service_id"],
                               "headsign": row.get("trip_headsign", ""),
                               "direction_id": int(direction) if direction else None,
                               "block_id": row.get("block_id", ""), "shape_id": shape_id}

    raw_times: dict[str, list[tuple[int, str, int | None, int | None, int]]] = defaultdict(list)
    for line, row in r.rows("stop_times.txt", REQUIRED["stop_times.txt"]):
        where = f"stop_times.txt:{line}"
        if row["trip_id"] not in feed.trips:
            r.problem(where, f"trip_id {row['trip_id']!r} is not in trips.txt")
            continue
        if row["stop_id"] not in feed.stops:
            r.problem(where, f"stop_id {row['stop_id']!r} is not in stops.txt")
            continue
        try:
            sequence = int(row["stop_sequence"])
        except ValueError:
            r.problem(where, f"stop_sequence {row['stop_sequence']!r} is not a whole number")
            continue
        times = []
        for column in ("arrival_time", "departure_time"):
            text = row[column]
            seconds = parse_time(text) if text else None
            if text and seconds is None:
                r.problem(where, f"{column} {text!r} is not a time (HH:MM:SS)")
            times.append(seconds)
        if (row["arrival_time"] and times[0] is None) or \
           (row["departure_time"] and times[1] is None):
            continue
        arrival, departure = times[0] if times[0] is not None else times[1], \
            times[1] if times[1] is not None else times[0]
        raw_times[row["trip_id"]].append((sequence, row["stop_id"], arrival, departure, line))

    plane = Plane(sum(s["lat"] for s in feed.stops.values()) / max(1, len(feed.stops)))
    lines: dict[str, Polyline] = {k: Polyline.of(plane, v) for k, v in feed.shapes.items()}
    for trip_id, trip in feed.trips.items():
        rows = sorted(raw_times.get(trip_id, []))
        if len(rows) < 2:
            r.problem("stop_times.txt", f"trip {trip_id!r} has fewer than two stops")
            continue
        checked = _check_trip(r, trip, rows, feed, lines, plane)
        if checked:
            feed.stop_times[trip_id] = checked
            trip["starts"], trip["ends"] = checked[0][3], checked[-1][2]
    if problems:
        raise FeedProblems(problems)
    if not feed.trips:
        raise FeedProblems(["trips.txt: no trips"])
    return feed


def _check_trip(r: _Reader, trip: dict[str, Any], rows: list[tuple[int, str, int | None,
                int | None, int]], feed: CheckedFeed, lines: dict[str, Polyline],
                plane: Plane) -> list[tuple[int, str, int, int, float]]:
    sequences = [row[0] for row in rows]
    if len(set(sequences)) != len(sequences):
        r.problem(f"stop_times.txt:{rows[0][4]}", "trip has a repeated stop_sequence")
        return []
    if rows[0][2] is None or rows[-1][2] is None:
        r.problem(f"stop_times.txt:{rows[0][4]}", "the first and last stop of a trip need times")
        return []
    line = lines.get(trip["shape_id"]) if trip["shape_id"] else None
    if line is None:
        line = Polyline.of(plane, [(feed.stops[s]["lon"], feed.stops[s]["lat"])
                                   for _, s, *_rest in rows])
    distances: list[float] = []
    last = 0.0
    for _, stop_id, *_rest in rows:
        stop = feed.stops[stop_id]
        along, _off = line.project(*plane.xy(stop["lon"], stop["lat"]), after=last - 1)
        last = max(last, along)
        distances.append(last)
    # Interpolate the times a trip leaves blank (non-timepoints) by distance.
    known = [i for i, row in enumerate(rows) if row[2] is not None]
    out: list[tuple[int, str, int, int, float]] = []
    previous = -1
    for i, (sequence, stop_id, arrival, departure, line_no) in enumerate(rows):
        if arrival is None or departure is None:
            before = max(k for k in known if k < i)
            after = min(k for k in known if k > i)
            span = distances[after] - distances[before]
            t0, t1 = rows[before][3], rows[after][2]
            assert t0 is not None and t1 is not None
            share = (distances[i] - distances[before]) / span if span > 0 else \
                (i - before) / (after - before)
            arrival = departure = round(t0 + share * (t1 - t0))
        if departure < arrival or arrival < previous:
            r.problem(f"stop_times.txt:{line_no}", "times go backwards along the trip")
            return []
        previous = departure
        out.append((sequence, stop_id, arrival, departure, distances[i]))
    return out
