"""Open-data benchmark: CKAN's package_search and datastore_search at a city's scale, and the
regeneration of the sensor readings' hourly means, each against raw SQL doing the same.

    .venv/bin/python bench/opendata.py [--datasets N] [--rows R] [--queries Q] [--scans S]

Uses the database in DATABASE_URL (default: a SpatiaLite file of its own under var/bench/);
a missing PostgreSQL database is created and migrated. THE OPEN-DATA TABLES AND THE IOT
DEVICES, QUANTITIES AND AGGREGATES OF THAT DATABASE ARE REPLACED when they do not hold what
the bench needs (a second run with the same sizes reuses them).

Made before timing (the time is printed, not part of any figure):
- N datasets (1,000) with keywords, publishers, themes and two resources each, listed as the
  portal lists them (words and facet values indexed);
- one datastore resource of R rows (5,000,000), written in bulk (PostgreSQL: COPY;
  SQLite: executemany, 100,000 rows a transaction): the rows of an hourly readings table;
- 300 public sensors of 2 quantities in 10 districts with 30 days of hourly aggregates.

Timed, interleaved with their baselines:
1. ``package_search`` through the whole CKAN API (``/api/3/action/package_search``: q, fq on
   organisation, rows=10, facets on tags and organisation; JSON out), Q times; baseline: the
   same three statements (count, page, facet counts) as hand-written SQL.
2. ``datastore_search`` through the API: a page of 100 rows at a random offset (Q times), and
   a filter on two columns with its total (S times; on SQLite it reads every row of the
   resource, on PostgreSQL the rows' GIN index answers); baselines: the same reads as
   hand-written SQL (another random offset for the pages, so that neither finds the other's
   pages in the cache); and the same filters with ``include_total=false`` (Q times: the first
   page only).
3. Regenerating ``sensor-readings-hourly`` (produce, type, write CSV/JSON, store the files and
   datastore rows), 3 times from scratch; baseline: its GROUP BY alone, rows fetched.

Each line: median and p95 and the ratio to its baseline's median. Last line:
``ratio=<the largest of the five ratios>``.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import latency_line, setup

SEED = 2222
WORDS = ("бюджет", "транспорт", "освіта", "медицина", "довкілля", "вода", "тепло", "паркування",
         "школи", "дороги", "зупинки", "маршрути", "земля", "майно", "закупівлі", "вибори",
         "спорт", "культура", "туризм", "безпека", "укриття", "сміття", "енергія", "житло")
PUBLISHERS = ("council", "finance", "transport", "education", "health", "architecture",
              "civil-protection", "it")
THEMES = ("ECON", "EDUC", "ENER", "ENVI", "GOVE", "HEAL", "JUST", "REGI", "SOCI", "TECH",
          "TRAN")
DISTRICTS = tuple(f"UA0000000000{n:05d}" for n in range(10))
QUANTITIES = ("pm25", "noise")
DATASTORE = "bench-datastore"
SENSORS = 300
DAYS = 30


def timed(function: Callable[[], Any]) -> float:
    began = time.perf_counter()
    function()
    return time.perf_counter() - began


def line(label: str, seconds: list[float], baseline: list[float]) -> float:
    ratio = statistics.median(seconds) / statistics.median(baseline)
    print(f"{latency_line(label, seconds)}; raw SQL {latency_line('', baseline)[2:]}; "
          f"ratio {ratio:.2f}")
    return ratio


# The catalogue ----------------------------------------------------------------------------

def make_catalogue(count: int) -> None:
    from django.db import transaction

    from misto.opendata.models import Dataset, Facet, Resource, State, ckan_id
    from misto.opendata.services.catalogue import search_text

    listed = Dataset.objects.filter(name__startswith="bench-cat-", state=State.PUBLISHED)
    if listed.count() == count:
        return
    began = time.perf_counter()
    rng = random.Random(SEED)
    with transaction.atomic():
        Dataset.objects.filter(name__startswith="bench-cat-").delete()
        datasets = []
        for n in range(count):
            words = rng.sample(WORDS, 3)
            dataset = Dataset(
                name=f"bench-cat-{n:04d}", title=f"Набір {n}: {words[0].capitalize()}",
                title_en=f"Dataset {n}", description=f"Дані про {' та '.join(words)}.",
                description_en="Benchmark data.", publisher=rng.choice(PUBLISHERS),
                theme=rng.choice(THEMES), keywords=words, frequency="DAILY",
                ckan_id=ckan_id(f"bench-cat-{n:04d}"), source_module="bench")
            dataset.search_text = search_text(dataset)
            datasets.append(dataset)
        Dataset.objects.bulk_create(datasets, batch_size=500)
        saved = list(Dataset.objects.filter(name__startswith="bench-cat-").order_by("name"))
        resources, facets = [], []
        for dataset in saved:
            for fmt in ("CSV", "JSON"):
                resources.append(Resource(dataset=dataset, table="data", format=fmt,
                                          title="Дані", title_en="Data", content="a\n1\n",
                                          size=4, rows=1, schema={"fields": [
                                              {"name": "a", "type": "integer"}]}))
            values = {("tags", word) for word in dataset.keywords} | {
                ("organization", dataset.publisher), ("groups", dataset.theme.lower()),
                ("license_id", dataset.licence), ("res_format", "CSV"), ("res_format", "JSON")}
            facets += [Facet(dataset=dataset, key=key, value=value) for key, value in values]
        Resource.objects.bulk_create(resources, batch_size=1000)
        Facet.objects.bulk_create(facets, batch_size=2000)
    print(f"{count:,} datasets listed in {time.perf_counter() - began:.1f} s (not timed)")


def raw_package_search(word: str, organization: str) -> None:
    """What package_search asks of the database, as hand-written SQL."""
    from django.db import connection

    where = ("d.state = 'published' AND d.search_text LIKE %s AND EXISTS (SELECT 1 FROM "
             "opendata_facet f WHERE f.dataset_id = d.id AND f.key = 'organization' "
             "AND f.value = %s)")
    params = [f"%{word}%", organization]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM opendata_dataset d WHERE {where}", params)
        cursor.fetchone()
        cursor.execute(f"SELECT d.* FROM opendata_dataset d WHERE {where} ORDER BY d.name "
                       "LIMIT 10", params)
        page = cursor.fetchall()
        ids = [row[0] for row in page]
        if ids:
            cursor.execute("SELECT * FROM opendata_resource WHERE dataset_id IN "
                           f"({', '.join(['%s'] * len(ids))})", ids)
            cursor.fetchall()
        cursor.execute(f"SELECT f.key, f.value, count(*) FROM opendata_facet f WHERE "
                       f"f.dataset_id IN (SELECT d.id FROM opendata_dataset d WHERE {where}) "
                       "GROUP BY f.key, f.value", params)
        cursor.fetchall()


# The datastore ---------------------------------------------------------------------------

def datastore_rows(count: int) -> Iterator[tuple[int, str, str]]:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rng = random.Random(SEED)
    for n in range(1, count + 1):
        quantity = QUANTITIES[n % 2]
        district = DISTRICTS[(n // 2) % len(DISTRICTS)]
        hour = (start + timedelta(hours=n // 20)).isoformat()
        mean = round(rng.uniform(5, 80), 3)
        data = {"hour": hour, "quantity": quantity, "district": district,
                "sensors": 3 + n % 7, "mean": mean}
        yield n, json.dumps(data), f"{hour} {quantity} {district.lower()} {3 + n % 7} {mean}"


def make_datastore(count: int) -> int:
    """The resource of ``count`` rows (made once); returns its id."""
    from django.db import connection, transaction

    from misto.opendata.models import Dataset, Facet, Resource, Row

    resource = Resource.objects.filter(dataset__name=DATASTORE, format="CSV").first()
    if resource is not None and resource.rows == count \
            and Row.objects.filter(resource=resource, n=count).exists():
        return resource.pk
    Dataset.objects.filter(name=DATASTORE).delete()
    dataset = Dataset.objects.create(
        name=DATASTORE, title="Показники (бенчмарк)", title_en="Readings (benchmark)",
        publisher="it", theme="ENVI", keywords=["датчики"], frequency="HOURLY")
    Facet.objects.create(dataset=dataset, key="organization", value="it")
    schema = {"fields": [{"name": "hour", "type": "datetime"},
                         {"name": "quantity", "type": "string"},
                         {"name": "district", "type": "string"},
                         {"name": "sensors", "type": "integer"},
                         {"name": "mean", "type": "number"}]}
    resource = Resource.objects.create(dataset=dataset, table="hourly", format="CSV",
                                       title="Показники", title_en="Readings", schema=schema,
                                       rows=count, datastore=True)
    began = time.perf_counter()
    rows = datastore_rows(count)
    if connection.vendor == "postgresql":  # the GIN index is built after the load
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DROP INDEX IF EXISTS opendata_row_data_gin")
            raw = cursor.cursor
            with raw.copy("COPY opendata_row (resource_id, n, data, text) FROM STDIN") as copy:
                for n, data, text in rows:
                    copy.write_row((resource.pk, n, data, text))
        with connection.cursor() as cursor:
            cursor.execute("CREATE INDEX opendata_row_data_gin ON opendata_row "
                           "USING gin (data jsonb_path_ops)")
            cursor.execute("ANALYZE opendata_row")
    else:
        batch: list[tuple[int, int, str, str]] = []
        sql = "INSERT INTO opendata_row (resource_id, n, data, text) VALUES (%s, %s, %s, %s)"
        for n, data, text in rows:
            batch.append((resource.pk, n, data, text))
            if len(batch) == 100_000 or n == count:
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.executemany(sql, batch)
                batch = []
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE opendata_row")
    seconds = time.perf_counter() - began
    print(f"datastore: {count:,} rows written in {seconds:.1f} s = {count / seconds:,.0f} "
          f"rows/s ({'COPY' if connection.vendor == 'postgresql' else 'executemany'}; "
          "not timed)")
    return resource.pk


def raw_page(resource_id: int, offset: int) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT n, data FROM opendata_row WHERE resource_id = %s AND n > %s "
                       "AND n <= %s ORDER BY n", [resource_id, offset, offset + 100])
        rows = cursor.fetchall()
        assert len(rows) == 100
        for _n, data in rows:
            json.loads(data) if isinstance(data, str) else data


def raw_filter(resource_id: int, district: str, quantity: str, total: bool = True) -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        where = "data @> %s::jsonb AND data @> %s::jsonb"
        params = [json.dumps({"district": district}), json.dumps({"quantity": quantity})]
    else:
        where = "json_extract(data, '$.district') = %s AND json_extract(data, '$.quantity') = %s"
        params = [district, quantity]
    with connection.cursor() as cursor:
        if total:
            cursor.execute("SELECT count(*) FROM opendata_row WHERE resource_id = %s AND "
                           f"{where}", [resource_id, *params])
            cursor.fetchone()
        cursor.execute(f"SELECT n, data FROM opendata_row WHERE resource_id = %s AND {where} "
                       "ORDER BY n LIMIT 100", [resource_id, *params])
        cursor.fetchall()


# The readings' hourly means ---------------------------------------------------------------

def make_sensors() -> None:
    from django.contrib.gis.geos import Point
    from django.db import transaction

    from misto.iot.models import Aggregate, Device, DeviceModel, Quantity

    hours = DAYS * 24
    wanted = SENSORS * len(QUANTITIES) * hours
    if Aggregate.objects.filter(device_id__in=Device.objects.filter(
            uid__startswith="bench-")).count() == wanted:
        return
    began = time.perf_counter()
    rng = random.Random(SEED)
    with transaction.atomic():
        Aggregate.objects.all().delete()
        Device.objects.filter(uid__startswith="bench-").delete()
        for code, name, unit in (("pm25", "PM2.5", "мкг/м³"), ("noise", "Шум", "дБ(A)")):
            Quantity.objects.get_or_create(code=code, defaults={"name_uk": name,
                                                                "unit_label": unit})
        model, _created = DeviceModel.objects.get_or_create(
            code="bench-sensor", defaults={"name": "Датчик", "quantities": list(QUANTITIES)})
        Device.objects.bulk_create([Device(
            uid=f"bench-{n:04d}", name=f"Датчик {n}", model=model,
            district=DISTRICTS[n % len(DISTRICTS)], owner_department="it",
            location=Point(30.5 + n / 10000, 50.4 + n / 10000, srid=4326))
            for n in range(SENSORS)])
        ids = list(Device.objects.filter(uid__startswith="bench-").values_list("pk", flat=True))
        start = (datetime.now(UTC) - timedelta(days=DAYS - 1)).replace(minute=0, second=0,
                                                                       microsecond=0)
        batch = []
        for hour in range(hours):
            at = start + timedelta(hours=hour)
            for device_id in ids:
                for quantity in QUANTITIES:
                    value = rng.uniform(5, 80)
                    batch.append(Aggregate(device_id=device_id, quantity=quantity,
                                           period="hour", start=at, count=60, total=value * 60,
                                           minimum=value - 3, maximum=value + 3))
            if len(batch) >= 50_000:
                Aggregate.objects.bulk_create(batch, batch_size=5000)
                batch = []
        Aggregate.objects.bulk_create(batch, batch_size=5000)
    print(f"sensors: {SENSORS} devices, {wanted:,} hourly aggregates made in "
          f"{time.perf_counter() - began:.1f} s (not timed)")


def raw_hourly_means() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.start, a.quantity, d.district, count(DISTINCT a.device_id), "
            "sum(a.count), sum(a.total), min(a.minimum), max(a.maximum) FROM iot_aggregate a "
            "JOIN iot_device d ON d.id = a.device_id WHERE d.public AND a.period = 'hour' "
            "AND a.start >= %s GROUP BY a.start, a.quantity, d.district "
            "ORDER BY a.start, a.quantity, d.district",
            [datetime.now(UTC) - timedelta(days=DAYS)])
        return len(cursor.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=1000)
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--scans", type=int, default=10)
    args = parser.parse_args()
    vendor = setup("opendata")

    from django.test import Client

    from misto.opendata import services
    from misto.opendata.models import Dataset

    make_catalogue(args.datasets)
    resource_id = make_datastore(args.rows)
    make_sensors()
    print(f"database: {vendor}; {Dataset.objects.count():,} datasets, a datastore resource "
          f"of {args.rows:,} rows")
    client = Client()
    for action in ("package_search", "datastore_search"):  # load the code once
        client.get(f"/api/3/action/{action}", {"resource_id": str(resource_id)})
    rng = random.Random(SEED)
    ratios = []

    # 1. package_search
    ours, raw = [], []
    for _ in range(args.queries):
        word, organization = rng.choice(WORDS), rng.choice(PUBLISHERS)
        params = {"q": word, "fq": f"organization:{organization}", "rows": "10",
                  "facet.field": '["tags", "organization"]'}

        def api(params: dict[str, str] = params) -> None:
            response = client.get("/api/3/action/package_search", params)
            assert response.status_code == 200, response.content

        ours.append(timed(api))
        raw.append(timed(partial(raw_package_search, word, organization)))
    found = client.get("/api/3/action/package_search",
                       {"q": WORDS[0], "rows": "0"}).json()["result"]["count"]
    print(f"package_search over {args.datasets:,} datasets ('{WORDS[0]}' matches {found})")
    ratios.append(line("  package_search (q, fq, facets, 10 rows)", ours, raw))

    # 2. datastore_search: pages, then filters that read every row.
    ours, raw = [], []
    for _ in range(args.queries):
        offset = rng.randrange(0, args.rows - 100)
        params = {"resource_id": str(resource_id), "limit": "100", "offset": str(offset)}

        def page(params: dict[str, str] = params) -> None:
            response = client.get("/api/3/action/datastore_search", params)
            assert response.status_code == 200, response.content
            assert len(response.json()["result"]["records"]) == 100

        ours.append(timed(page))
        # Another offset: the same one would find its pages in the cache.
        other = rng.randrange(0, args.rows - 100)
        raw.append(timed(partial(raw_page, resource_id, other)))
    print(f"datastore_search over {args.rows:,} rows")
    ratios.append(line("  a page of 100 at a random offset", ours, raw))
    ours, raw = [], []
    for _ in range(args.scans):
        district, quantity = rng.choice(DISTRICTS), rng.choice(QUANTITIES)
        params = {"resource_id": str(resource_id), "limit": "100",
                  "filters": json.dumps({"district": district, "quantity": quantity})}

        def filtered(params: dict[str, str] = params) -> None:
            response = client.get("/api/3/action/datastore_search", params)
            assert response.status_code == 200, response.content
            assert response.json()["result"]["total"] > 0

        ours.append(timed(filtered))
        raw.append(timed(partial(raw_filter, resource_id, district, quantity)))
    ratios.append(line("  filters on 2 columns, with the total", ours, raw))
    ours, raw = [], []
    for _ in range(args.queries):
        district, quantity = rng.choice(DISTRICTS), rng.choice(QUANTITIES)
        params = {"resource_id": str(resource_id), "limit": "100", "include_total": "false",
                  "filters": json.dumps({"district": district, "quantity": quantity})}

        def first_page(params: dict[str, str] = params) -> None:
            response = client.get("/api/3/action/datastore_search", params)
            assert response.status_code == 200, response.content
            assert len(response.json()["result"]["records"]) == 100

        ours.append(timed(first_page))
        raw.append(timed(partial(raw_filter, resource_id, district, quantity, False)))
    ratios.append(line("  the same filters, include_total=false (the first page)", ours, raw))

    # 3. Regenerating the readings' hourly means.
    ours, raw = [], []
    outcome = ""
    for _ in range(3):
        Dataset.objects.filter(name="sensor-readings-hourly").delete()
        began = time.perf_counter()
        outcome = services.regenerate(["sensor-readings-hourly"])["sensor-readings-hourly"]
        ours.append(time.perf_counter() - began)
        produced = 0

        def query() -> None:
            nonlocal produced
            produced = raw_hourly_means()

        raw.append(timed(query))
    print(f"regenerating sensor-readings-hourly ({produced:,} rows from "
          f"{SENSORS * len(QUANTITIES) * DAYS * 24:,} hourly aggregates; {outcome})")
    ratios.append(line("  regeneration (produce, type, files, datastore)", ours, raw))
    print(f"ratio={max(ratios):.2f}")


if __name__ == "__main__":
    main()
