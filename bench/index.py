"""City Progress Index benchmark: recompute every indicator for one year on a big city.

    .venv/bin/python bench/index.py [--readings 1000000] [--reports 100000] [--devices 200]

Uses the database from DATABASE_URL (default var/bench/index.sqlite3; a PostGIS database is
created when missing) and fills it once with a small named city, ``--devices`` public
air-quality and noise stations, ``--readings`` readings spread over last year and
``--reports`` resolved reports of last year (a rerun reuses them). Then it times
``misto.index.services.compute(<last year>)``: every computed indicator of the catalogue,
city-wide and per district, storing each value with its lineage. The baseline is the raw
SQL of the heavy scans the same run needs (the reading means and the reports' resolution
times, city-wide and per district), timed on the same data. Prints both and, on the last
line, ``ratio=<recompute / raw queries>``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import datetime, timedelta
from typing import Any

from common import setup

MARK = "bench:index"
QUANTITIES = ("pm25", "pm10", "no2", "LAeq")


def populate(readings: int, reports: int, devices: int, year: int) -> None:
    """All or nothing: a run stopped half-way leaves an empty database for the next."""
    from django.db import transaction

    with transaction.atomic():
        _populate(readings, reports, devices, year)


def _populate(readings: int, reports: int, devices: int, year: int) -> None:
    from django.contrib.gis.geos import Point
    from django.db import connection, transaction
    from django.utils import timezone

    from misto.iot.models import Device, DeviceModel, EntityType
    from misto.reports.models import Category, Report, Status
    from misto.testing import world

    zone = timezone.get_current_timezone()
    start = datetime(year, 1, 1, tzinfo=zone)
    span = (datetime(year + 1, 1, 1, tzinfo=zone) - start).total_seconds()
    rng = random.Random(21)
    city = world.build_city()
    districts = [city.west, city.east]
    model = DeviceModel.objects.create(code="bench-aq", name="Bench AQ",
                                       entity_type=EntityType.AIR_QUALITY)
    made = Device.objects.bulk_create([
        Device(uid=f"bench-{i}", name=f"{MARK} {i}", model=model, district=districts[i % 2],
               location=Point(35.13 + (i % 2) * 0.05, 47.82, srid=4326),
               installed_at=start) for i in range(devices)])
    ids = [device.pk for device in made]
    sql = "INSERT INTO iot_reading (device_id, quantity, ts, value) VALUES (%s, %s, %s, %s)"
    postgres = connection.vendor == "postgresql"
    if postgres:  # monthly partitions of the readings table, then COPY as ingestion does
        with connection.cursor() as cursor:
            cursor.execute("SELECT iot_ensure_partitions(%s, %s)",
                           [start, start + timedelta(seconds=span)])

    def write(cursor: Any, rows: list[tuple[int, str, datetime, float]]) -> None:
        if not postgres:
            cursor.executemany(sql, rows)
            return
        with cursor.cursor.copy("COPY iot_reading (device_id, quantity, ts, value) "
                                "FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    batch: list[tuple[int, str, datetime, float]] = []
    per_device = max(1, readings // (devices * len(QUANTITIES)))
    step = span / per_device
    written = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for device in ids:
            for quantity in QUANTITIES:
                for n in range(per_device):
                    if written >= readings:
                        break
                    batch.append((device, quantity, start + timedelta(seconds=n * step),
                                  rng.uniform(5, 60)))
                    written += 1
                    if len(batch) >= 20_000:
                        write(cursor, batch)
                        batch.clear()
        if batch:
            write(cursor, batch)
    category = Category.objects.create(code="bench-light", title="Освітлення", sla_hours=48)
    rows = []
    for i in range(reports):
        created = start + timedelta(seconds=rng.uniform(0, span - 7 * 86400))
        rows.append(Report(category=category, district=districts[i % 2],
                           location=Point(35.13, 47.82, srid=4326), description=MARK,
                           status=Status.RESOLVED, created_at=created,
                           closed_at=created + timedelta(hours=rng.uniform(1, 120))))
    Report.objects.bulk_create(rows, batch_size=5000)


def raw_scans(year: int, districts: list[str]) -> float:
    """The heavy scans a recompute of the year needs, as plain SQL; seconds."""
    from django.db import connection
    from django.utils import timezone

    zone = timezone.get_current_timezone()
    start, end = datetime(year, 1, 1, tzinfo=zone), datetime(year + 1, 1, 1, tzinfo=zone)
    began = time.perf_counter()
    with connection.cursor() as cursor:
        for district in [None, *districts]:
            where = "" if district is None else " AND d.district = %s"
            extra = [] if district is None else [district]
            for quantity in QUANTITIES:
                cursor.execute(
                    "SELECT AVG(r.value), COUNT(r.value) FROM iot_reading r JOIN iot_device d "
                    "ON d.id = r.device_id WHERE d.public AND r.quantity = %s AND r.ts >= %s "
                    "AND r.ts < %s" + where, [quantity, start, end, *extra])
                cursor.fetchall()
            rwhere = "" if district is None else " AND district = %s"
            cursor.execute(
                "SELECT created_at, closed_at FROM reports_report WHERE status = 'resolved' "
                "AND closed_at >= %s AND closed_at < %s" + rwhere, [start, end, *extra])
            cursor.fetchall()
            cursor.execute(
                "SELECT COUNT(*) FROM reports_report WHERE created_at >= %s AND created_at < %s"
                + rwhere, [start, end, *extra])
            cursor.fetchall()
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readings", type=int, default=1_000_000)
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--devices", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    vendor = setup("index")
    from django.utils import timezone

    from misto.index import services
    from misto.iot.models import Reading
    from misto.reports.models import Report

    year = timezone.localdate().year - 1
    if not Report.objects.filter(description=MARK).exists():
        began = time.perf_counter()
        populate(args.readings, args.reports, args.devices, year)
        print(f"populated in {time.perf_counter() - began:.1f} s")
    print(f"database {vendor}: readings {Reading.objects.count()}, "
          f"reports {Report.objects.filter(description=MARK).count()}")
    services.ensure_loaded()
    import misto.twin as twin

    districts = [d.katottg for d in twin.districts()]
    computes, raws = [], []
    for run in range(args.runs):
        if run:  # a recompute over changed data: every value moves and is superseded
            Report.objects.filter(description=MARK, pk__lte=Report.objects.order_by(
                "pk").values_list("pk", flat=True)[args.reports // 10]).update(
                closed_at=timezone.now().replace(year=year, month=12, day=30))
        began = time.perf_counter()
        outcome = services.compute(str(year))
        computes.append(time.perf_counter() - began)
        raws.append(raw_scans(year, districts))
        print(f"run {run + 1}: recompute {computes[-1]:.2f} s ({outcome.computed} values, "
              f"{outcome.changed} changed), raw scans {raws[-1]:.2f} s")
    print(f"recompute all indicators for {year}: median {statistics.median(computes):.2f} s")
    print(f"raw queries: median {statistics.median(raws):.2f} s")
    print(f"ratio={statistics.median(computes) / statistics.median(raws):.2f}")


if __name__ == "__main__":
    main()
