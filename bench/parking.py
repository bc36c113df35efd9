"""Parking benchmark: sessions started and stopped by the place's sensor, and the free-places
query.

    .venv/bin/python bench/parking.py [--size N] [--lots L] [--places P] [--drivers D]

Uses the database in DATABASE_URL (default: a SpatiaLite file of its own under var/bench/);
a missing PostgreSQL database is created and migrated. Each run adds its own zone, lots,
sensors (registered IoT devices) and drivers (unique names).

1. N sessions (1,000 by default) over L lots of P sensed places: for each, the place's
   sensor reports it occupied (``store_readings``, the iot module's storing path), the
   driver starts a session on the lot (``check_start`` + ``do_start``: the place is bound),
   and the sensor reports it free 20-80 minutes later: the reading sink stops the session
   and charges it through ``misto.core.payments`` (the wallet's double-entry postings).
   Sessions started and stopped per second (the readings' storing included), with the SQL
   statements and this process's CPU milliseconds per session (steadier than the wall clock
   on a shared machine; on PostgreSQL the server's work is not in the CPU figure).
2. The same number of rows inserted raw (``executemany`` into a scratch table, the median of
   five rounds): the baseline.
3. ``with_free()`` (every lot with its free places, what the map and the API read): median
   and p95 over 50 calls.

Last line: ``ratio=<start+stop time per session / raw insert time per row>``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import latency_line, setup

SEED = 2020
LETTERS = "ABEIKMHOPCTX"


def plate(n: int) -> str:
    """A valid, distinct plate for every n < 144 * 10,000 * 144."""
    head, rest = divmod(n, 10_000)
    tail, region = divmod(head, 144)
    return (f"{LETTERS[region // 12]}{LETTERS[region % 12]}{rest:04d}"
            f"{LETTERS[(tail // 12) % 12]}{LETTERS[tail % 12]}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--lots", type=int, default=20)
    parser.add_argument("--places", type=int, default=10)
    parser.add_argument("--drivers", type=int, default=50)
    args = parser.parse_args()
    vendor = setup("parking")

    from django.contrib.gis.geos import Polygon
    from django.db import connection
    from django.utils import timezone

    from misto.iot.demo import ensure_catalogue
    from misto.iot.ingest import reset_directory
    from misto.iot.services import register_device
    from misto.iot.storage import store_readings
    from misto.parking import services
    from misto.parking.models import PlaceKind, Session, SessionStatus
    from misto.testing.world import make_resident
    from misto.wallet import services as wallet

    rng = random.Random(SEED)
    run = uuid.uuid4().hex[:6]
    ensure_catalogue()
    lon0, lat0 = 35.10 + rng.random() * 0.1, 47.80 + rng.random() * 0.05
    zone = services.do_create_zone(
        f"b{run}", "Bench", Polygon.from_bbox((lon0, lat0, lon0 + 0.05, lat0 + 0.02)),
        tariffs=[{"weekdays": "1234567", "start_hour": 0, "end_hour": 24,
                  "price_per_hour": 1500, "max_stay_minutes": None}])
    devices = {}
    lots = []
    for lot_n in range(args.lots):
        x = lon0 + 0.002 * (lot_n % 20) + 0.0005
        y = lat0 + 0.002 * (lot_n // 20) + 0.0005
        uids = [f"bp-{run}-{lot_n}-{p}" for p in range(args.places)]
        lots.append(services.do_create_lot(
            f"b{run}-{lot_n}", f"Bench {lot_n}", zone,
            Polygon.from_bbox((x, y, x + 0.0004, y + 0.0003)),
            places=[(str(p + 1), uid, PlaceKind.REGULAR) for p, uid in enumerate(uids)]))
        for uid in uids:
            devices[uid] = register_device(uid, uid, "parking-lpp", lon=x, lat=y).pk
    reset_directory()
    drivers = []
    for d in range(args.drivers):
        driver = make_resident(f"bench-{run}-{d}")
        account = wallet.access_account(driver)
        for _top in range(4):
            wallet.demo_pay(wallet.do_start_topup(account, 500_000))
        drivers.append(driver)
    print(f"{vendor}: {args.lots} lots x {args.places} sensed places, {args.drivers} drivers")

    base = (timezone.now() - timedelta(days=30)).replace(microsecond=0)
    places = [(lot, p) for lot in lots for p in range(args.places)]
    statements = [0]

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements[0] += 1
        return execute(sql, params, many, context)

    # On a shared machine the wall clock mostly measures the neighbours: the statements per
    # session (exact) and this process's CPU seconds (all of SQLite's work, none of
    # PostgreSQL's) are printed beside it.
    wrapper = connection.execute_wrapper(count)
    wrapper.__enter__()
    cpu_started = time.process_time()
    started = time.perf_counter()
    for n in range(args.size):
        lot, p = places[n % len(places)]
        at = base + timedelta(hours=2 * (n // len(places)))
        device = devices[f"bp-{run}-{lot.code.rsplit('-', 1)[1]}-{p}"]
        store_readings([(device, "occupancy", at, 1.0)])
        checked = services.check_start(drivers[n % len(drivers)], plate(n), lot,
                                       now=at + timedelta(minutes=1))
        services.do_start(checked)
        store_readings([(device, "occupancy", at + timedelta(minutes=rng.randint(20, 80)),
                         0.0)])
    cycle_seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    wrapper.__exit__(None, None, None)
    stopped = Session.objects.filter(zone=zone, status=SessionStatus.PAID).count()
    print(f"{args.size} sessions started and stopped by the sensor ({stopped} paid) in "
          f"{cycle_seconds:.2f} s: {args.size / cycle_seconds:.1f} sessions/s; "
          f"{statements[0] / args.size:.1f} SQL statements and "
          f"{cpu_seconds / args.size * 1000:.1f} ms of this process's CPU per session")

    rows = [(f"{run}-raw-{n}", plate(n), n % 5000) for n in range(args.size)]
    # The median of five rounds: one round of a few hundred rows lasts milliseconds, and on
    # a busy machine a single one varied tenfold between runs (so did the ratio).
    rounds = []
    with connection.cursor() as cursor:
        for _round in range(5):
            cursor.execute("CREATE TABLE IF NOT EXISTS bench_raw_session "
                           "(id varchar(40) PRIMARY KEY, plate varchar(12), amount integer)")
            started = time.perf_counter()
            cursor.executemany("INSERT INTO bench_raw_session (id, plate, amount) "
                               "VALUES (%s, %s, %s)", rows)
            rounds.append(time.perf_counter() - started)
            cursor.execute("DROP TABLE bench_raw_session")
    raw_seconds = statistics.median(rounds)
    print(f"raw insert of {args.size} rows in {raw_seconds:.3f} s (median of 5): "
          f"{args.size / raw_seconds:.0f} rows/s")

    timings = []
    for _call in range(50):
        started = time.perf_counter()
        found = services.with_free()
        timings.append(time.perf_counter() - started)
    print(latency_line(f"free-places query ({len(found)} lots)", timings))
    print(f"ratio={cycle_seconds / raw_seconds:.1f}")


if __name__ == "__main__":
    main()
