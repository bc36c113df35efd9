"""Routing benchmark: the nearest 3 open shelters by walking route, from random points.

    .venv/bin/python bench/routing.py [--points N]

Uses the database in DATABASE_URL (default: a SpatiaLite file of its own under var/bench/);
a missing PostgreSQL database is created and migrated. The demo city's districts, streets
and shelters are added when the twin lacks them (other benchmarks share the database and
replace its features; nothing else is touched).

From N random points in the demo city (1,000 by default), timed point by point and
interleaved:

1. ``nearest_by_route(point, "shelters", 3, where={"status": "open"})`` with the database's
   engine (pgRouting on PostGIS with the extension, networkx otherwise), and on PostGIS the
   in-process engine too;
2. the straight-line nearest 3 open shelters: ``services.nearest`` (the KNN index), open
   ones kept.

Lines: median and p95 in ms, how often the straight-line nearest is not the quickest walk,
and the route's length over the straight line. The graph is built once before timing (its
build time is printed). Last line: ``ratio=<route median / straight-line median>``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import latency_line, setup

SEED = 2323


def load() -> None:
    """Add the demo city's districts, streets and shelters where their layer is empty."""
    from django.db import transaction

    from misto.twin import builtin, demo, services
    from misto.twin.models import Feature

    services.ensure_builtin_layers()
    wanted = (builtin.DISTRICTS, builtin.STREETS, builtin.SHELTERS)
    missing = {code for code in wanted
               if not Feature.objects.filter(layer__code=code, retired_at__isnull=True).exists()}
    if not missing:
        return
    rows = [row for row in demo.generate() if row.layer in missing]
    layers = {code: services.get_layer(code) for code in missing}
    with transaction.atomic():
        services.bulk_create([services.check_feature(layers[r.layer], r.geometry, r.properties)
                              for r in rows], reason="routing bench")
    print(f"loaded {len(rows)} features ({', '.join(sorted(missing))})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1000)
    args = parser.parse_args()
    vendor = setup("routing")
    load()

    from misto.twin import builtin, demo, services
    from misto.twin.models import Feature
    from misto.twin.services import routing

    started = time.perf_counter()
    graph = routing.graph()
    print(f"{vendor}: graph of {len(graph.nodes)} nodes, {len(graph.edges)} edges built in "
          f"{time.perf_counter() - started:.2f} s; engine {routing.engine()}")
    open_ids = set(Feature.objects.filter(layer__code=builtin.SHELTERS, retired_at__isnull=True,
                                          properties__status="open")
                   .values_list("pk", flat=True))
    rng = random.Random(SEED)
    points = [(rng.uniform(demo.WEST + 0.002, demo.EAST - 0.002),
               rng.uniform(demo.SOUTH + 0.002, demo.NORTH - 0.002))
              for _ in range(args.points)]
    engines = [routing.engine()] + (["networkx"] if routing.engine() == "pgrouting" else [])
    timings: dict[str, list[float]] = {name: [] for name in [*engines, "straight"]}
    differs = 0
    stretch: list[float] = []
    for lon, lat in points:
        routed: list[routing.RoutedFeature] = []
        for name in engines:
            t0 = time.perf_counter()
            found = routing.nearest_by_route((lon, lat), builtin.SHELTERS, 3,
                                             where={"status": "open"}, using=name)
            timings[name].append(time.perf_counter() - t0)
            routed = routed or found
        t0 = time.perf_counter()
        line = [near for near in services.nearest(lon, lat, 12, layer=builtin.SHELTERS,
                                                  landmarks=False)
                if near.feature_id in open_ids][:3]
        timings["straight"].append(time.perf_counter() - t0)
        if routed and line and routed[0].feature.pk != line[0].feature_id:
            differs += 1
        if routed:
            stretch.append(routed[0].route.distance_m / max(routed[0].straight_m, 1.0))
    for name in engines:
        print(latency_line(f"nearest 3 open shelters by walking route ({name})", timings[name]))
    print(latency_line("nearest 3 open shelters in a straight line", timings["straight"]))
    print(f"the straight-line nearest is not the quickest walk from {differs} of "
          f"{len(points)} points ({100 * differs / len(points):.1f} %); walking route / "
          f"straight line to the quickest: median {statistics.median(stretch):.2f}")
    ratio = statistics.median(timings[engines[0]]) / statistics.median(timings["straight"])
    print(f"ratio={ratio:.2f}")


if __name__ == "__main__":
    main()
