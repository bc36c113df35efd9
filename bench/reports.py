"""Reports benchmark: submissions per second, and the map's bbox query over many reports.

    .venv/bin/python bench/reports.py [--size 100000] [--submissions 300] [--queries 40]

Uses the database from DATABASE_URL (creates and migrates it when missing). Prints the
figures and, on the last line, ``ratio=<x>``: the map query's median through the module
(``services.map_points``: the columns the map's GeoJSON needs) divided by the median
of the same query in raw SQL on the same spatial index. The bench's rows are removed at
the end (their description starts with "bench:").
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import ensure_postgres_database, percentile

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "misto.settings")
os.environ.setdefault("MISTO_MODULES", "reports")

WEST, SOUTH, EAST, NORTH = 35.115, 47.815, 35.215, 47.875
MARK = "bench:"


def ensure_city() -> None:
    """Two districts covering the demo city's box, unless the twin has districts."""
    from django.core.management import call_command

    import misto.twin as twin

    if twin.districts():
        return
    half = (WEST + EAST) / 2
    features = [
        {"type": "Feature", "properties": {"name": name, "katottg": code, "prefix": prefix},
         "geometry": {"type": "Polygon", "coordinates": [[[w, SOUTH], [e, SOUTH], [e, NORTH],
                                                          [w, NORTH], [w, SOUTH]]]}}
        for name, code, prefix, w, e in [
            ("Західний", "UA23060070010000091", "91", WEST, half),
            ("Східний", "UA23060070010000092", "92", half, EAST)]
    ]
    with tempfile.NamedTemporaryFile("w", suffix=".geojson", delete=False) as handle:
        json.dump({"type": "FeatureCollection", "features": features}, handle)
    call_command("twin", "import", handle.name, layer="districts", reason="bench")
    os.unlink(handle.name)


def bench_submissions(count: int, rng: random.Random) -> float:
    from misto.reports import services

    codes = ["pothole", "bin-full", "grass", "dumping", "bench"]
    answers = {"pothole": {"size": "small"}}
    started = time.perf_counter()
    for _ in range(count):
        code = rng.choice(codes)
        services.submit(services.Submission(
            category=code, description=f"{MARK} submitted", attributes=answers.get(code, {}),
            lon=rng.uniform(WEST + 0.001, EAST - 0.001),
            lat=rng.uniform(SOUTH + 0.001, NORTH - 0.001)))
    return count / (time.perf_counter() - started)


def _raw_statements() -> dict[str, str]:
    """A submission's work written by hand for this engine: the district and the nearest
    address, then in one transaction the report (numbered by the database's trigger), its
    history line and its outbox event."""
    from django.db import connection

    pg = connection.vendor == "postgresql"
    point = "ST_SetSRID(ST_MakePoint(%s, %s), 4326)" if pg else "MakePoint(%s, %s, 4326)"
    distance = (f"ST_Distance(geography(geometry), geography({point}))" if pg
                else f"ST_Distance(geometry, {point}, 1)")
    return {
        "district": "SELECT id, properties FROM twin_feature WHERE layer_id = %s AND "
                    f"retired_at IS NULL AND ST_Intersects(geometry, {point}) "
                    "ORDER BY id LIMIT 1",
        "address": f"SELECT id, name, {distance} AS d FROM twin_feature "
                   "WHERE layer_id = %s AND retired_at IS NULL ORDER BY d LIMIT 1",
        "report": "INSERT INTO reports_report (token, category_id, department_id, district, "
                  "district_name, location, address, landmark, description, "
                  "public_description, hidden, attributes, status, status_note, channel, "
                  "media_url, created_at, updated_at, due_at) VALUES (%s, %s, %s, %s, '', "
                  f"{point}, '', '', %s, '', false, %s, 'new', '', 'web', '', %s, %s, %s) "
                  "RETURNING id",
        "change": "INSERT INTO reports_change (report_id, kind, status, previous_status, "
                  "note, public, at) VALUES (%s, 'created', 'new', '', '', true, %s)",
        "outbox": "INSERT INTO core_outboxevent (uuid, name, payload, occurred_at) "
                  "VALUES (%s, 'bench.RawSubmission', %s, %s)",
    }


def bench_raw_submissions(count: int, rng: random.Random) -> float:
    """The same writes as :func:`bench_submissions` in raw SQL: the baseline."""
    import uuid
    from datetime import timedelta

    from django.db import connection, transaction
    from django.utils import timezone

    from misto.reports.models import Category
    from misto.twin.services.layers import layer_id

    sql = _raw_statements()
    leaves = list(Category.objects.filter(parent__isnull=False).values_list("pk", flat=True))
    layers = {code: layer_id(code) for code in ("districts", "addresses")}
    started = time.perf_counter()
    for _ in range(count):
        lon = rng.uniform(WEST + 0.001, EAST - 0.001)
        lat = rng.uniform(SOUTH + 0.001, NORTH - 0.001)
        now = timezone.now()
        with connection.cursor() as cursor:
            cursor.execute(sql["district"], [layers["districts"], lon, lat])
            district = cursor.fetchone()
            cursor.execute(sql["address"], [lon, lat, layers["addresses"]])
            cursor.fetchall()
            with transaction.atomic():
                cursor.execute(sql["report"], [
                    str(uuid.uuid4()), rng.choice(leaves), None, str(district[0]), lon, lat,
                    f"{MARK} raw", "{}", now, now, now + timedelta(hours=72)])
                report_id = cursor.fetchone()[0]
                cursor.execute(sql["change"], [report_id, now])
                cursor.execute(sql["outbox"], [str(uuid.uuid4()),
                                               json.dumps({"report_id": report_id}), now])
    return count / (time.perf_counter() - started)


def bulk_load(size: int, rng: random.Random) -> None:
    from django.contrib.gis.geos import Point
    from django.db import transaction
    from django.utils import timezone

    from misto.reports.models import Category, Report, Status

    categories = list(Category.objects.filter(parent__isnull=False))
    statuses = [Status.NEW, Status.ACCEPTED, Status.IN_PROGRESS, Status.RESOLVED]
    now = timezone.now()
    batch: list[Report] = []
    with transaction.atomic():
        for i in range(size):
            category = rng.choice(categories)
            batch.append(Report(
                category=category, location=Point(rng.uniform(WEST, EAST),
                                                  rng.uniform(SOUTH, NORTH), srid=4326),
                description=f"{MARK} {i}", status=rng.choice(statuses),
                district="UA23060070010000091", created_at=now, updated_at=now))
            if len(batch) == 5000:
                Report.objects.bulk_create(batch)
                batch = []
        Report.objects.bulk_create(batch)


RAW_PG = """
SELECT r.public_id, ST_X(r.location), ST_Y(r.location), r.status, r.category_id
FROM reports_report r
WHERE r.location && ST_MakeEnvelope(%s, %s, %s, %s, 4326) AND NOT r.hidden
LIMIT 5000
"""
RAW_SPATIALITE = """
SELECT r.public_id, ST_X(r.location), ST_Y(r.location), r.status, r.category_id
FROM reports_report r
WHERE r.id IN (SELECT ROWID FROM SpatialIndex WHERE f_table_name = 'reports_report'
               AND f_geometry_column = 'location' AND search_frame = BuildMbr(%s, %s, %s, %s))
  AND NOT r.hidden
LIMIT 5000
"""


def bench_map(queries: int, rng: random.Random) -> tuple[list[float], list[float], int]:
    from django.db import connection

    from misto.reports import services

    raw = RAW_PG if connection.vendor == "postgresql" else RAW_SPATIALITE
    orm_times: list[float] = []
    raw_times: list[float] = []
    rows = 0
    for _ in range(queries):
        # A phone-screen box at zoom ~15: about 1.5 x 1 km.
        w = rng.uniform(WEST, EAST - 0.02)
        s = rng.uniform(SOUTH, NORTH - 0.009)
        bbox = (w, s, w + 0.02, s + 0.009)
        started = time.perf_counter()
        found = services.map_points(services.Filters(bbox=bbox), 5000)
        orm_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(raw, bbox)
            raw_rows = cursor.fetchall()
        raw_times.append(time.perf_counter() - started)
        if len(found) != len(raw_rows):
            raise SystemExit(f"ORM and raw SQL disagree: {len(found)} != {len(raw_rows)}")
        rows += len(found)
    return orm_times, raw_times, rows // max(queries, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000, help="reports for the map query")
    parser.add_argument("--submissions", type=int, default=300)
    parser.add_argument("--queries", type=int, default=40)
    args = parser.parse_args()
    ensure_postgres_database(os.environ.get("DATABASE_URL", ""))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from misto.core.models import OutboxEvent
    from misto.reports import demo
    from misto.reports.models import Report

    ensure_city()
    demo.load_tree()
    rng = random.Random(7)
    Report.objects.filter(description__startswith=MARK).delete()
    try:
        # Through the module and by hand, alternating in rounds so that a change of load
        # on the machine weighs on both alike.
        rounds = 5
        module_rates, raw_rates = [], []
        for _round in range(rounds):
            module_rates.append(bench_submissions(args.submissions // rounds, rng))
            raw_rates.append(bench_raw_submissions(args.submissions // rounds, rng))
        per_second = statistics.median(module_rates)
        raw_per_second = statistics.median(raw_rates)
        started = time.perf_counter()
        bulk_load(max(args.size - args.submissions, 0), rng)
        loaded = time.perf_counter() - started
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE reports_report")
        gc.collect()  # the bulk load's garbage would otherwise be collected mid-measurement
        bench_map(5, rng)  # warm the caches
        orm, raw, rows = bench_map(args.queries, rng)
    finally:
        Report.objects.filter(description__startswith=MARK).delete()
        OutboxEvent.objects.filter(name="bench.RawSubmission").delete()
    ms = 1000
    print(f"database: {connection.vendor}")
    print(f"submissions: {args.submissions} through services.submit "
          f"(checks, routing, history, outbox event): {per_second:.1f}/s "
          f"(median of {rounds} rounds)")
    print(f"the same writes in raw SQL: {raw_per_second:.1f}/s; "
          f"module / raw = {per_second / raw_per_second:.2f}")
    print(f"bulk load: {args.size} reports in {loaded:.1f}s")
    print(f"map bbox query (~{rows} reports of {args.size}): median "
          f"{statistics.median(orm) * ms:.2f} ms, p95 {percentile(orm, 0.95) * ms:.2f} ms")
    print(f"raw SQL, same index: median {statistics.median(raw) * ms:.2f} ms, "
          f"p95 {percentile(raw, 0.95) * ms:.2f} ms")
    print(f"ratio={statistics.median(orm) / statistics.median(raw):.2f}")


if __name__ == "__main__":
    main()
