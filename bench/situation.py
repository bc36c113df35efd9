"""Benchmark: the situation centre's map data endpoint with many open incidents and devices.

    .venv/bin/python bench/situation.py [--size N] [--devices M] [--runs R]

Fills the database named by DATABASE_URL (default: var/bench-situation.sqlite3; a PostGIS
database is created when missing) with N open incidents (default 10,000) and M devices
(default 5,000), all tagged "bench" and removed again at the end, then times
``GET /api/situation/incidents?status=open`` through the whole Django stack (middleware,
session, ninja, JSON) against the raw SQL query reading the same rows: once right after a
change to one incident (the response is brought up to date: rendered) and once when
nothing changed (served as it is: cached), asking for gzip as browsers do; then rendered
without Accept-Encoding. Prints both sizes. Prints medians and p95; the last line is
``ratio=<rendered endpoint median / raw query median>``.
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import statistics
import sys
import time
from pathlib import Path

from common import ensure_postgres_database, percentile

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", f"spatialite:///{ROOT / 'var' / 'bench-situation.sqlite3'}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "misto.settings")

BENCH = "bench:"
GZIP = "gzip, deflate, br"


def populate(size: int, devices: int) -> None:
    from django.contrib.gis.geos import Point
    from django.db import transaction
    from django.utils import timezone

    from misto.situation.models import DeviceState, Incident, IncidentKind, Severity
    from misto.situation.services import ensure_default_kinds

    ensure_default_kinds()
    kinds = list(IncidentKind.objects.all())
    rng = random.Random(10)
    now = timezone.now()
    districts = [f"UA2306007001000001{i}" for i in range(1, 7)]
    rows = []
    for i in range(size):
        lon, lat = 35.115 + rng.random() * 0.1, 47.815 + rng.random() * 0.06
        sources = [{"module": "reports", "id": str(100_000 + i)}]
        if i % 3 == 0:
            sources.append({"module": "iot", "id": f"bench-{i % devices}:water_pressure"})
        rows.append(Incident(
            kind=kinds[i % len(kinds)], title=f"{BENCH} incident {i}", status="open",
            severity=rng.choice(Severity.values), district=rng.choice(districts),
            district_name="Бенч-район", lon=lon, lat=lat, location=Point(lon, lat, srid=4326),
            address=f"Бенчова, {i % 200 + 1}", street="бенчова", sources=sources,
            opened_at=now, last_signal_at=now,
        ))
    device_rows = [DeviceState(
        device_id=f"bench-{i}", name=f"{BENCH} device {i}",
        lon=35.115 + rng.random() * 0.1, lat=47.815 + rng.random() * 0.06,
        state=rng.choice(["ok", "ok", "ok", "alert", "offline"]), quantity="water_pressure",
    ) for i in range(devices)]
    with transaction.atomic():
        Incident.objects.bulk_create(rows, batch_size=1000)
        DeviceState.objects.bulk_create(device_rows, batch_size=1000)


def clean() -> None:
    from misto.situation.models import DeviceState, Incident

    Incident.objects.filter(title__startswith=BENCH).delete()
    DeviceState.objects.filter(name__startswith=BENCH).delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000, help="open incidents")
    parser.add_argument("--devices", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=25)
    args = parser.parse_args()
    if args.size < 1 or args.devices < 1 or args.runs < 3:
        parser.error("--size and --devices must be at least 1, --runs at least 3")

    ensure_postgres_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from misto.situation.models import Incident

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    clean()
    print(f"database: {connection.vendor} ({settings.DATABASES['default']['NAME']})")
    started = time.perf_counter()
    populate(args.size, args.devices)
    print(f"populated {args.size} open incidents and {args.devices} devices in "
          f"{time.perf_counter() - started:.1f} s")
    from misto.core.models import StaffAssignment
    from misto.situation.services import store_map_json

    started = time.perf_counter()
    stored = store_map_json()  # what record_change does for each incident as it changes
    print(f"stored {stored} map features in {time.perf_counter() - started:.1f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # what autovacuum does after a bulk load
            cursor.execute("ANALYZE situation_incident")
    try:
        user, _created = get_user_model().objects.get_or_create(username="bench-situation")
        StaffAssignment.objects.get_or_create(user=user, role="dispatcher", department="",
                                              district="")
        client = Client()
        client.force_login(user)
        url = "/api/situation/incidents?status=open"
        open_count = Incident.objects.filter(status="open").count()

        response = client.get(url)  # warm up
        assert response.status_code == 200, response.content[:300]
        import json

        features = len(json.loads(response.content)["features"])
        assert features == open_count, (features, open_count)
        from django.utils import timezone

        from misto.situation.models import Severity
        from misto.situation.services import record_change

        rng = random.Random(24)
        bench_ids = list(Incident.objects.filter(title__startswith=BENCH)
                         .values_list("pk", flat=True))

        def timed(invalidate: bool, **headers: str) -> list[float]:
            times = []
            for _ in range(args.runs):
                if invalidate:  # something happened in the city: an incident changed
                    pk = rng.choice(bench_ids)
                    Incident.objects.filter(pk=pk).update(
                        severity=rng.choice(Severity.values), last_signal_at=timezone.now())
                    record_change("incident", pk)
                t0 = time.perf_counter()
                response = client.get(url, headers=headers)
                assert response.status_code == 200
                times.append((time.perf_counter() - t0) * 1000)
            return times

        # What browsers get (they all send Accept-Encoding: gzip), then the plain answer.
        cold = timed(invalidate=True, accept_encoding=GZIP)
        warm = timed(invalidate=False, accept_encoding=GZIP)
        cold_plain = timed(invalidate=True)
        plain = client.get(url).content
        size = len(plain)
        packed = client.get(url, headers={"accept-encoding": GZIP})
        encoded = packed.headers.get("Content-Encoding") == "gzip"
        body = gzip.decompress(packed.content) if encoded else packed.content
        assert body == plain, "the answer to a browser differs from the GeoJSON"
        wire = len(packed.content)
        raw_sql = ("SELECT id, kind_id, status, severity, district, lon, lat, sources "
                   "FROM situation_incident WHERE status = 'open'")
        raw = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(raw_sql)
                rows = cursor.fetchall()
            raw.append((time.perf_counter() - t0) * 1000)
        assert len(rows) == open_count
        devices = []
        for _ in range(max(3, args.runs // 3)):
            t0 = time.perf_counter()
            client.get("/api/situation/devices", headers={"accept-encoding": GZIP})
            devices.append((time.perf_counter() - t0) * 1000)

        cold_median, warm_median = statistics.median(cold), statistics.median(warm)
        raw_median = statistics.median(raw)
        print(f"features: {features}, response: {wire / 1e6:.2f} MB "
              f"{'gzip-encoded' if encoded else 'not encoded'}, as browsers take it "
              f"({size / 1e6:.2f} MB of GeoJSON, without Accept-Encoding)")
        print(f"map endpoint GET {url}, right after a change (rendered, gzip): median "
              f"{cold_median:.1f} ms, p95 {percentile(cold, 0.95):.1f} ms ({args.runs} runs)")
        print(f"the same without Accept-Encoding (rendered, plain): median "
              f"{statistics.median(cold_plain):.1f} ms, p95 {percentile(cold_plain, 0.95):.1f} ms")
        print(f"map endpoint, nothing changed since the last request (cached): median "
              f"{warm_median:.1f} ms, p95 {percentile(warm, 0.95):.1f} ms")
        print(f"raw query (same rows, no JSON): median {raw_median:.1f} ms, "
              f"p95 {percentile(raw, 0.95):.1f} ms")
        print(f"devices endpoint ({args.devices} devices): median "
              f"{statistics.median(devices):.1f} ms")
        for name, value in (("rendered", cold_median), ("cached", warm_median)):
            print(f"target median < 50 ms ({name}): {'met' if value < 50 else 'MISSED'}")
        print(f"ratio={cold_median / raw_median:.2f}")
    finally:
        clean()


if __name__ == "__main__":
    main()
