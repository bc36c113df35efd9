"""Fleet benchmark: tracker fixes and fuel readings through the readings sink (the path of
MQTT and the HTTP batch: ``misto.core.readings.deliver`` -> ``fleet.handlers.on_samples``),
with trip segmentation, geodesic distance and the refuel/drain detector on every reading.

    .venv/bin/python bench/fleet.py [--vehicles N] [--rounds R]

Uses the database in DATABASE_URL (default: a SpatiaLite file of its own under var/bench/).
N municipal vehicles (200 by default), each with a tracker and a fuel sensor, drive east
across the demo city's box; R rounds (30 by default), 10 s apart, each one batch holding
every vehicle's fix (lat, lon, speed, heading, ignition) and fuel reading (noisy, a slosh
now and then; every tenth vehicle refuels 30 l in round R / 2 while it stands), as the iot
module hands over one stored batch. Then the same fixes one by one, each in its own
transaction (the OsmAnd path).

Baseline: the same rows (a position and a fuel level per vehicle and round) inserted raw,
one ``executemany`` per batch in one transaction. Last line:
``ratio=<time per fix through the sink / time per fix raw>`` (batched).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import latency_line, setup

SEED = 1908
WEST, SOUTH = 35.12, 47.82


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vehicles", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    vendor = setup("fleet")

    from django.db import connection, transaction

    from misto.core import readings
    from misto.fleet.models import FuelEvent, Position, Trip, Vehicle
    from misto.fleet.services import tracking

    tracking._city_box = lambda: None  # the bench's city is the synthetic one
    Vehicle.objects.filter(plate__startswith="BENCH").delete()
    vehicles = Vehicle.objects.bulk_create(
        Vehicle(plate=f"BENCH{i:05d}", tank_l=80, norm_l_per_100km=10,
                tracker_uid=f"bench-trk-{i}", fuel_sensor_uid=f"bench-fuel-{i}")
        for i in range(args.vehicles))
    readings.reset()
    rng = random.Random(SEED)
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    fuel = {v.pk: 40.0 for v in vehicles}

    def batch(r: int, lon_shift: float = 0.0) -> list[readings.Sample]:
        ts = start + timedelta(seconds=10 * r)
        out = []
        refuel_round = args.rounds // 2
        for n, v in enumerate(vehicles):
            standing = n % 10 == 0 and refuel_round - 3 <= r <= refuel_round + 3
            if not standing:
                fuel[v.pk] -= 0.012
            if n % 10 == 0 and r == refuel_round:
                fuel[v.pk] += 30
            lat = SOUTH + (n % 50) * 0.0008
            lon = WEST + lon_shift + 0.0011 * r + (n // 50) * 0.0001
            out.append(readings.Sample(v.tracker_uid or "", "vehicle-tracker", ts, {
                "latitude": lat, "longitude": lon, "speed": 0.0 if standing else 30.0,
                "heading": 90.0, "ignition": 0.0 if standing else 1.0}))
            slosh = rng.choice((-5.0, 5.0)) if rng.random() < 0.03 else 0.0
            out.append(readings.Sample(v.fuel_sensor_uid or "", "fuel-level", ts, {
                "fuelLevel": round(fuel[v.pk] + rng.gauss(0, 1.0) + slosh, 1)}))
        return out

    sink = []
    for r in range(args.rounds):
        samples = batch(r)
        t0 = time.perf_counter()
        with transaction.atomic():
            readings.deliver(samples)
        sink.append((time.perf_counter() - t0) / len(vehicles))
    fixes = args.rounds * len(vehicles)
    print(f"{vendor}: {len(vehicles)} vehicles, {args.rounds} rounds: {fixes} fixes and "
          f"{fixes} fuel readings through the sink")
    print(f"sink, batched: {1 / statistics.mean(sink):.0f} fixes/s (each with its fuel "
          f"reading); " + latency_line("per fix", sink))
    print(f"trips: {Trip.objects.filter(vehicle__in=vehicles).count()}, positions: "
          f"{Position.objects.filter(vehicle__in=vehicles).count()}, refuels: "
          f"{FuelEvent.objects.filter(vehicle__in=vehicles, kind='refuel').count()} "
          f"(expected {len(range(0, len(vehicles), 10))}), drains: "
          f"{FuelEvent.objects.filter(vehicle__in=vehicles, kind='drain').count()} (expected 0)")

    single = []
    later = args.rounds + 1
    for v in vehicles[:200]:
        ts = start + timedelta(seconds=10 * later)
        fix = tracking.Fix(ts, WEST + 0.0011 * later, SOUTH, 30.0, 90.0, True)
        t0 = time.perf_counter()
        tracking.apply({v: [tracking.Reading(ts, fix=fix, fuel_l=fuel[v.pk])]})
        single.append(time.perf_counter() - t0)
    print(f"one fix a transaction (OsmAnd path): {len(single) / sum(single):.0f} fixes/s; "
          + latency_line("per fix", single))

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_raw_fix")
        cursor.execute("CREATE TABLE bench_raw_fix (vehicle bigint, ts varchar(40), "
                       "lon double precision, lat double precision, fuel double precision)")
    raw = []
    for r in range(args.rounds):
        samples = batch(r, lon_shift=0.0)
        rows = [(n, s.ts.isoformat(), s.values.get("longitude", 0.0),
                 s.values.get("latitude", 0.0), s.values.get("fuelLevel", 0.0))
                for n, s in enumerate(samples)]
        t0 = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany("INSERT INTO bench_raw_fix VALUES (%s, %s, %s, %s, %s)", rows)
        raw.append((time.perf_counter() - t0) / len(vehicles))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_raw_fix")
    print(f"raw insert, batched: {1 / statistics.mean(raw):.0f} fixes/s (a position and a "
          f"fuel row each); " + latency_line("per fix", raw))
    Vehicle.objects.filter(plate__startswith="BENCH").delete()
    print(f"ratio={statistics.median(sink) / statistics.median(raw):.2f}")


if __name__ == "__main__":
    main()
