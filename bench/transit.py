"""Transit benchmark: vehicle positions through checking, trip matching and prediction; the
GTFS-Realtime feeds' build time; the stop board's query.

    .venv/bin/python bench/transit.py [--vehicles N] [--rounds R]

Uses the database in DATABASE_URL (default: a SpatiaLite file of its own under var/bench/).
A synthetic timetable is imported through the GTFS checks (not placed on the twin): N / 3
straight lines across the demo city's box, 25 stops each (400 m apart), trips every 10
minutes for two hours either side of now. N vehicles (500 by default) each run one of the
trips on the move now, exactly on time; R rounds (4 by default) of one position per vehicle,
10 s apart, go through ``positions.record`` (the same path as the OsmAnd and machine APIs).
The first round matches every vehicle from scratch; the others follow the trip it runs.

Lines: the import time; positions per second (first round and following rounds); each
GTFS-RT feed's build time (median of 5, cache off) and size; the stop-board query
(``boards.arrivals``) median and p95 over 200 stops, against a raw query of the same
predictions. Baseline: one raw ``INSERT`` of (vehicle, time, lon, lat) per position in its own
transaction, as plain as storing a position can be. Last line:
``ratio=<time per position through record() / time per raw insert>``.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import itertools

from common import latency_line, setup

SEED = 1919
STOPS = 25
SPACING_M = 400
WEST, SOUTH = 35.118, 47.817


def build_feed(lines: int, now_local: datetime) -> bytes:
    from misto.transit.demo import gtfs_zip
    from misto.transit.services.feeds import format_time

    midnight = now_local.replace(hour=0, minute=0, second=0, microsecond=0)
    centre = int((now_local - midnight).total_seconds())
    stops: list[list[object]] = []
    routes: list[list[object]] = []
    trips: list[list[object]] = []
    times: list[list[object]] = []
    dlat = SPACING_M / 111_320
    dlon = SPACING_M / (111_320 * 0.6717)
    for line in range(lines):
        horizontal = line % 2 == 0
        k = line // 2
        for i in range(STOPS):
            # Parallel lines 150 m apart (further than a fix may stray from its line), so
            # that no two routes share a street.
            if horizontal:
                lat = SOUTH + (k + 0.5) * dlat * 150 / SPACING_M
                lon = WEST + 0.004 + i * dlon
            else:
                lon = WEST + (k + 0.5) * dlon * 150 / SPACING_M
                lat = SOUTH + 0.004 + i * dlat * 0.55
            stops.append([f"L{line}S{i}", f"{line}-{i}", f"Лінія {line}, {i}",
                          f"{lat:.6f}", f"{lon:.6f}"])
        routes.append([f"L{line}", "bench", str(line), f"Лінія {line}", 3])
        first = max(0, centre - 7200)
        for n, start in enumerate(range(first, centre + 7200, 600)):
            trip_id = f"L{line}T{n}"
            trips.append([f"L{line}", "daily", trip_id])
            for i in range(STOPS):
                t = start + i * 90
                times.append([trip_id, format_time(t), format_time(t), f"L{line}S{i}", i + 1])
    day = now_local.date()
    return gtfs_zip({
        "agency.txt": (["agency_id", "agency_name", "agency_url", "agency_timezone"],
                       [["bench", "Bench", "https://bench.example/", "Europe/Kyiv"]]),
        "stops.txt": (["stop_id", "stop_code", "stop_name", "stop_lat", "stop_lon"], stops),
        "routes.txt": (["route_id", "agency_id", "route_short_name", "route_long_name",
                        "route_type"], routes),
        "trips.txt": (["route_id", "service_id", "trip_id"], trips),
        "stop_times.txt": (["trip_id", "arrival_time", "departure_time", "stop_id",
                            "stop_sequence"], times),
        "calendar.txt": (["service_id", "monday", "tuesday", "wednesday", "thursday", "friday",
                          "saturday", "sunday", "start_date", "end_date"],
                         [["daily", 1, 1, 1, 1, 1, 1, 1,
                           (day - timedelta(days=1)).strftime("%Y%m%d"),
                           (day + timedelta(days=1)).strftime("%Y%m%d")]]),
    })


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vehicles", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    vendor = setup("transit")

    from django.db import connection, transaction

    from misto.transit.models import Prediction, Stop, Vehicle, VehicleState
    from misto.transit.services import boards, feeds, positions, realtime, timetable
    from misto.transit.services.timetable import TripPlan

    positions._city_box = lambda: None  # the bench's city is the synthetic one
    now = datetime.now(UTC).replace(microsecond=0)
    lines = max(1, -(-args.vehicles // 3))  # about three trips of a line are on the move
    data = build_feed(lines, now.astimezone(timetable.ZoneInfo("Europe/Kyiv")))
    t0 = time.perf_counter()
    feed = feeds.import_feed(data, "bench.zip", link_twin=False)
    print(f"{vendor}: imported {lines} lines, {feed.stops.count()} stops, "
          f"{feed.trips.count()} trips in {time.perf_counter() - t0:.1f} s")
    timetable.forget()
    tt = timetable.current()
    assert tt is not None
    VehicleState.objects.all().delete()
    Vehicle.objects.filter(code__startswith="bench-").delete()
    vehicles = Vehicle.objects.bulk_create(
        Vehicle(code=f"bench-{i}", seats=30, capacity=80) for i in range(args.vehicles))
    day = now.astimezone(tt.tz).date()
    seconds = (now - tt.base(day)).total_seconds()
    running: list[TripPlan] = sorted(
        (p for p in tt.trips_on(day) if p.starts + 60 <= seconds <= p.ends - 60 * args.rounds),
        key=lambda p: (p.route_id, p.starts))
    rng = random.Random(SEED)
    # One vehicle per trip: a trip another live vehicle runs is never matched again.
    assignment = list(zip(vehicles, running, strict=False))
    if len(assignment) < len(vehicles):
        print(f"only {len(assignment)} trips on the move: {len(assignment)} vehicles run")

    def fix_at(plan: TripPlan, at: datetime) -> positions.Fix:
        s = (at - tt.base(day)).total_seconds()
        stops = plan.stops
        progress = stops[-1].distance
        for a, b in itertools.pairwise(stops):
            if s <= b.arrival:
                share = max(0.0, (s - a.departure) / max(1, b.arrival - a.departure))
                progress = a.distance + share * (b.distance - a.distance)
                break
        lon, lat = plan.line.point_at(tt.plane, progress)
        return positions.Fix(lon=lon, lat=lat, fixed_at=at, speed=4.4,
                             passengers=rng.randint(0, 60))

    rounds: list[list[float]] = []
    accepted = 0
    for r in range(args.rounds):
        at = now + timedelta(seconds=10 * r)
        timings = []
        for vehicle, plan in assignment:
            fix = fix_at(plan, at)
            t0 = time.perf_counter()
            outcome = positions.record(vehicle, fix, now=at)
            timings.append(time.perf_counter() - t0)
            accepted += outcome.accepted and outcome.trip_id == plan.trip_id
            if os.environ.get("BENCH_DEBUG") and outcome.trip_id != plan.trip_id:
                print("mismatch", r, plan.trip_id, outcome)
        rounds.append(timings)
    first, rest = rounds[0], [t for timings in rounds[1:] for t in timings]
    print(f"positions matched to the right trip: {accepted} of {len(assignment) * args.rounds}")
    print(f"first round (matching from scratch): {len(first) / sum(first):.0f} positions/s; "
          + latency_line("per position", first))
    if rest:
        print(f"following rounds: {len(rest) / sum(rest):.0f} positions/s; "
              + latency_line("per position", rest))
    print(f"live predictions: {Prediction.objects.count()}")

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_position")
        cursor.execute("CREATE TABLE bench_raw_position (vehicle varchar(50), ts varchar(40), "
                       "lon double precision, lat double precision)")
    raw = []
    for vehicle, plan in assignment:
        fix = fix_at(plan, now)
        t0 = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_raw_position VALUES (%s, %s, %s, %s)",
                           [vehicle.code, fix.fixed_at.isoformat(), fix.lon, fix.lat])
        raw.append(time.perf_counter() - t0)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_raw_position")
    print(f"raw insert: {len(raw) / sum(raw):.0f} positions/s; " + latency_line("per insert", raw))

    last = now + timedelta(seconds=10 * (args.rounds - 1))
    for kind, build in realtime.BUILDERS.items():
        times_, size = [], 0
        for _ in range(5):
            t0 = time.perf_counter()
            size = len(build(last).protobuf())
            times_.append(time.perf_counter() - t0)
        print(f"GTFS-RT {kind}: built in median {statistics.median(times_) * 1000:.1f} ms, "
              f"{size / 1024:.0f} KiB")

    stops = list(Stop.objects.filter(feed=feed).order_by("?")[:200])
    board, query = [], []
    for stop in stops:
        t0 = time.perf_counter()
        boards.arrivals(stop, now=last)
        board.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        list(Prediction.objects.filter(stop=stop, predicted__gte=last).values_list(
            "trip_id", "predicted"))
        query.append(time.perf_counter() - t0)
    print(latency_line("stop board (live + timetable)", board))
    print(latency_line("raw query of the stop's predictions", query))
    print(f"stop board / raw query: {statistics.median(board) / statistics.median(query):.1f}")
    per_position = statistics.median(rest or first)
    print(f"ratio={per_position / statistics.median(raw):.2f}")


if __name__ == "__main__":
    main()
