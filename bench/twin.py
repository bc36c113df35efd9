"""Digital twin benchmark: the queries every module makes, at N numbered landmarks.

    .venv/bin/python bench/twin.py [--size N] [--queries Q]

Uses the database in DATABASE_URL (default: a SpatiaLite file of its own under var/bench/,
never the development database); a missing PostgreSQL database is created and migrated.
THE TWIN TABLES OF THAT DATABASE ARE REPLACED by the demo city's six districts and N
landmarks (kept between runs when N matches, so a second run skips the load).

Landmarks are bulk-loaded (COPY on PostgreSQL, executemany on SpatiaLite) at random spots
in the demo city, numbered "<district prefix>-<sequence>"; on PostgreSQL the table is then
clustered by place (``tiles.cluster``, what docs/twin.md asks after a large import).
Then Q times each, at random inputs, the service function against the very SQL it sends,
run raw through the same connection, the two interleaved input by input (so a ratio is
the cost of the Python around the query, even on a busy machine):

1. number -> location: ``services.landmark_location(number)``;
2. nearest 3 landmarks to a point: ``services.nearest(lon, lat, 3)`` (PostGIS: ORDER BY
   geography <-> point LIMIT 3; SpatiaLite: R*Tree windows grown until exact; its raw side
   is the service's first window, 25 m, alone: it suffices at 1M landmarks but not in
   sparse places, where the service grows it);
3. point -> district: ``services.district_at(lon, lat)``;
4. bbox tile: ``tiles.tile(16, x, y)`` (the whole MVT) vs. PostGIS: the same ST_AsMVT SQL
   through the same binary, server-bound psycopg cursor;
   SpatiaLite: only the raw R*Tree row query, so the ratio is the Python encoding's cost.
5. The tile endpoint over HTTP (Django's test client, the whole stack): rendered, from the
   server's cache, revalidated by a browser (If-None-Match, 304), and after a change.

Each line: median and p95 in ms, and the ratio of medians (service / raw SQL). Last line:
``ratio=<nearest-3 service median / raw median>`` (the query with a stated goal: on PostGIS
a median under 2 ms and within 1.5x of raw SQL).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import percentile, setup

SEED = 4242


def load(size: int) -> None:
    from django.db import connection, transaction

    from misto.twin import builtin, demo, services, tiles
    from misto.twin.models import Feature, FeatureVersion

    services.ensure_builtin_layers()
    landmarks = services.get_layer(builtin.LANDMARKS)
    have = Feature.objects.filter(layer=landmarks).count()
    districts = Feature.objects.filter(layer__code=builtin.DISTRICTS).count()
    if have == size and districts == len(demo.DISTRICTS):
        print(f"reusing {size} landmarks already loaded")
        return
    started = time.perf_counter()
    with transaction.atomic():
        FeatureVersion.objects.all().delete()
        Feature.objects.all().delete()
        rows = [row for row in demo.generate() if row.layer == builtin.DISTRICTS]
        layer = services.get_layer(builtin.DISTRICTS)
        services.bulk_create([services.check_feature(layer, r.geometry, r.properties)
                              for r in rows])
    rng = random.Random(SEED)
    sequence: dict[str, int] = {}
    kinds = ["pole", "manhole", "tree", "hydrant"]

    def records() -> Any:
        for _ in range(size):
            lon = rng.uniform(demo.WEST, demo.EAST)
            lat = rng.uniform(demo.SOUTH, demo.NORTH)
            prefix = next(p for (_n, _e, p, w, s, e, n) in demo.DISTRICTS
                          if w <= lon <= e and s <= lat <= n)
            sequence[prefix] = sequence.get(prefix, 0) + 1
            yield lon, lat, f"{prefix}-{sequence[prefix]:06d}", rng.choice(kinds)

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX IF EXISTS twin_feature_landmark_geog")
            cursor.execute("DROP INDEX IF EXISTS twin_feature_current_geog")
            raw = cursor.connection
            with raw.cursor().copy(
                "COPY twin_feature (layer_id, geometry, properties, number, name, search_key,"
                " version, action, valid_from, reason) FROM STDIN"
            ) as copy:
                for lon, lat, number, kind in records():
                    copy.write_row((landmarks.pk, f"SRID=4326;POINT({lon} {lat})",
                                    f'{{"kind": "{kind}"}}', number, "", "", 1, "created",
                                    "2026-01-01T00:00:00Z", "bench"))
            cursor.execute(
                "CREATE INDEX twin_feature_landmark_geog ON twin_feature USING GIST "
                "(geography(geometry)) WHERE number IS NOT NULL AND retired_at IS NULL")
            cursor.execute(
                "CREATE INDEX twin_feature_current_geog ON twin_feature USING GIST "
                "(geography(geometry)) WHERE retired_at IS NULL")
        tiles.cluster()  # what docs/twin.md asks after a large import (and ANALYZE)
    else:
        batch: list[tuple[Any, ...]] = []
        with transaction.atomic(), connection.cursor() as cursor:
            sql = ("INSERT INTO twin_feature (layer_id, geometry, properties, number, name, "
                   "search_key, version, action, valid_from, reason) VALUES "
                   "(%s, MakePoint(%s, %s, 4326), %s, %s, '', '', 1, 'created', "
                   "'2026-01-01 00:00:00', 'bench')")
            for lon, lat, number, kind in records():
                batch.append((landmarks.pk, lon, lat, f'{{"kind": "{kind}"}}', number))
                if len(batch) == 20_000:
                    cursor.executemany(sql, batch)
                    batch.clear()
            if batch:
                cursor.executemany(sql, batch)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"loaded {size} landmarks in {time.perf_counter() - started:.1f} s")


def paired(service_func: Callable[[Any], Any], raw_func: Callable[[Any], Any],
           inputs: list[Any]) -> tuple[list[float], list[float]]:
    """Time both sides on each input, interleaved (alternating which goes first), so that a
    busy machine slows both alike instead of whichever ran during the busy spell."""
    service: list[float] = []
    raw: list[float] = []
    for index, item in enumerate(inputs):
        pair = [(service_func, service), (raw_func, raw)]
        for func, out in (pair if index % 2 == 0 else pair[::-1]):
            started = time.perf_counter()
            func(item)
            out.append(time.perf_counter() - started)
    return service, raw


def report(label: str, times: tuple[list[float], list[float]]) -> float:
    service, raw = times
    ratio = statistics.median(service) / statistics.median(raw)
    print(f"{label:<24} service: median {statistics.median(service) * 1000:7.3f} ms, "
          f"p95 {percentile(service, 0.95) * 1000:7.3f} ms | raw SQL: median "
          f"{statistics.median(raw) * 1000:7.3f} ms, p95 {percentile(raw, 0.95) * 1000:7.3f} ms"
          f" | ratio {ratio:.2f}")
    return ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=2000)
    args = parser.parse_args()
    vendor = setup("twin")
    from django.db import connection

    from misto.twin import builtin, demo, services, tiles

    load(args.size)
    postgres = vendor == "postgresql"
    rng = random.Random(SEED + 1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT number FROM twin_feature WHERE number IS NOT NULL "
                       "ORDER BY id LIMIT 100000")
        numbers = [row[0] for row in cursor.fetchall()]
    q = args.queries
    number_inputs = [rng.choice(numbers) for _ in range(q)]
    points = [(rng.uniform(demo.WEST, demo.EAST), rng.uniform(demo.SOUTH, demo.NORTH))
              for _ in range(q)]
    tile_inputs = [tiles.tile_for(lon, lat, 16) for lon, lat in points[: max(q // 10, 50)]]
    district_layer = services.get_layer(builtin.DISTRICTS).pk
    print(f"{vendor}: {args.size} landmarks, {q} queries each")
    cursor = connection.cursor()

    # Warm up caches and the connection on both sides.
    for item in number_inputs[:50]:
        services.landmark(item)
    for lon, lat in points[:50]:
        services.nearest(lon, lat, 3)

    # The raw side runs the very SQL the service sends (same columns, same plan), so each
    # ratio is what the Python around it costs.
    if postgres:
        number_sql = services._NUMBER_SQL.format(
            kind="COALESCE(f.properties ->> 'kind', '')",
            x="ST_X(ST_PointOnSurface(f.geometry))", y="ST_Y(ST_PointOnSurface(f.geometry))")
    else:
        number_sql = services._NUMBER_SQL.format(
            kind="COALESCE(json_extract(f.properties, '$.kind'), '')",
            x="X(ST_PointOnSurface(f.geometry))", y="Y(ST_PointOnSurface(f.geometry))")

    def raw_number(number: str) -> Any:
        cursor.execute(number_sql, [number])
        return cursor.fetchone()

    def svc_number(number: str) -> Any:
        found = services.landmark_location(number)
        assert found is not None
        return found.lon, found.lat

    results = {}
    results["number -> location"] = report(
        "number -> location", paired(svc_number, raw_number, number_inputs))

    landmark_where = "f.retired_at IS NULL AND f.number IS NOT NULL"
    if postgres:
        knn = services._NEAREST_PG.format(where=landmark_where)

        def raw_nearest(point: tuple[float, float]) -> Any:
            cursor.execute(knn, [point[0], point[1], point[0], point[1], 3])
            return cursor.fetchall()
    else:
        import math

        window = services._NEAREST_SL.format(where=landmark_where)
        radius = 25.0

        def raw_nearest(point: tuple[float, float]) -> Any:
            # One window of a size that suffices at this density (the service grows its own).
            lon, lat = point
            dlat = radius / 111_320 * 1.01
            dlon = dlat / math.cos(math.radians(lat))
            cursor.execute(window, [lon, lat, lon - dlon, lat - dlat, lon + dlon, lat + dlat,
                                    3])
            return cursor.fetchall()

    results["nearest 3"] = report(
        "nearest 3 landmarks",
        paired(lambda p: services.nearest(p[0], p[1], 3), raw_nearest, points))

    contains = ("ST_Intersects(f.geometry, ST_SetSRID(ST_MakePoint(%s, %s), 4326))"
                if postgres else "Intersects(f.geometry, MakePoint(%s, %s, 4326))")
    district_sql = services._DISTRICT_SQL.format(intersects=contains)

    def raw_district(point: tuple[float, float]) -> Any:
        cursor.execute(district_sql, [district_layer, point[0], point[1]])
        return cursor.fetchone()

    results["point -> district"] = report(
        "point -> district",
        paired(lambda p: services.district_at(p[0], p[1]), raw_district, points))

    if postgres:
        tile_cursor = tiles.pg_cursor()

        def raw_tile(xy_: tuple[int, int]) -> Any:
            tile_cursor.execute(tiles._PG_TILE, tiles.pg_tile_params(16, *xy_), binary=True)
            return tile_cursor.fetchone()
    else:
        layer_ids = [layer.pk for layer in tiles._layers_for(16, False)]

        def raw_tile(xy_: tuple[int, int]) -> Any:
            west, south, east, north = tiles.tile_bounds_4326(16, *xy_)
            box = [west, south, east, north]
            cursor.execute(tiles._SL_ROWS.format(
                placeholders=", ".join("%s" for _ in layer_ids)), [*box, *box, *layer_ids])
            return cursor.fetchall()

    sizes = [len(tiles.tile(16, x, y)) for x, y in tile_inputs[:20]]
    results["bbox tile"] = report(
        "bbox tile (z16 MVT)",
        paired(lambda t: tiles.tile(16, t[0], t[1]), raw_tile, tile_inputs))
    print(f"tile size: median {statistics.median(sizes) / 1024:.1f} KiB")
    http_tiles(tile_inputs)
    print(f"ratio={results['nearest 3']:.2f}")


def http_tiles(tile_inputs: list[tuple[int, int]]) -> None:
    """The tile endpoint as a map uses it: the first request of each tile renders it, the
    next ones come from the server's cache, and a browser holding the tile revalidates it
    with If-None-Match (304, no body); then a feature changes and each is rendered again."""
    from django.conf import settings
    from django.test import Client

    from misto.twin import services

    settings.ALLOWED_HOSTS = ["*"]
    services.touch()  # the bench's landmarks were loaded by COPY, around the services
    client = Client()
    url = "/api/twin/tiles/16/{}/{}.mvt"

    def timed(headers: dict[str, str] | None = None, status: int = 200) -> list[float]:
        times = []
        for x, y in tile_inputs:
            started = time.perf_counter()
            response = client.get(url.format(x, y), headers=headers or {})
            times.append(time.perf_counter() - started)
            assert response.status_code == status, response.status_code
        return times

    def line(label: str, times: list[float]) -> None:
        print(f"{label:<40} median {statistics.median(times) * 1000:7.3f} ms, "
              f"p95 {percentile(times, 0.95) * 1000:7.3f} ms")

    line("tile GET, first request (rendered)", timed())
    line("tile GET, again (server cache)", timed())
    etag = client.get(url.format(*tile_inputs[0]))["ETag"]
    line("tile GET, If-None-Match (304)", timed({"if-none-match": etag}, 304))
    services.touch()  # what every feature change does
    line("after a change: rendered again", timed({"if-none-match": etag}))


if __name__ == "__main__":
    main()
