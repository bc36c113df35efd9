"""Routes on the street network: walking and driving, between two points or to the nearest
features of a layer (shelters first).

The graph (:mod:`misto.twin.services.route_graph`, built once per version of the streets)
is searched by pgRouting on PostGIS (when the extension is installed), by networkx in this
process otherwise. Only :func:`_search` differs between them; snapping a point onto the
nearest street, the pieces of street at both ends and the steps are the same code, so the
two engines give the same routes. ``handlers.py`` rebuilds the graph eagerly when a street
changes (``twin.FeatureChanged``).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.contrib.gis.geos import LineString
from django.db import connection
from django.utils.translation import gettext as _

from misto.twin.errors import TwinCode, TwinError
from misto.twin.geo import distance_m
from misto.twin.models import Feature, RouteEdge
from misto.twin.services.dialect import is_postgres
from misto.twin.services.geo import check_lon_lat, district_at
from misto.twin.services.layers import get_layer
from misto.twin.services.route_graph import (
    DRIVE_KMH,
    DRIVE_KMH_DEFAULT,
    FOOTPATHS,
    M_PER_DEG,
    MAX_SNAP_M,
    MODES,
    ROUTED_LAYERS,
    WALK_MPS,
    Coord,
    Edge,
    Graph,
    cells,
    forget,
    graph,
    line_length,
    rebuild,
    streets_signature,
)

__all__ = ["FOOTPATHS", "MODES", "ROUTED_LAYERS", "WALK_MPS", "Route", "RoutedFeature", "Step",
           "engine", "forget", "graph", "nearest_by_route", "rebuild", "route",
           "streets_signature"]

_engine: dict[str, str] = {}  # which engine searches, found once per process


@dataclass(frozen=True)
class Step:
    """A stretch along one street: "Соборний проспект, 420 m"."""

    name: str
    distance_m: float
    time_s: float


@dataclass(frozen=True)
class Route:
    distance_m: float
    time_s: float
    mode: str
    geometry: LineString
    steps: list[Step]

    def geojson(self) -> dict[str, Any]:
        return {"type": "Feature", "geometry": {"type": "LineString",
                                                "coordinates": [list(c) for c in self.coords]},
                "properties": {"distance_m": round(self.distance_m),
                               "time_s": round(self.time_s), "mode": self.mode}}

    @property
    def coords(self) -> list[Coord]:
        return [(x, y) for x, y in self.geometry.coords]


@dataclass(frozen=True)
class RoutedFeature:
    """A feature reached by route: ``nearest_by_route``'s answer."""

    feature: Feature
    route: Route
    straight_m: float


@dataclass
class _Snap:
    """Where a point meets the network: on ``edge``, ``along_m`` metres from its ``u`` end."""

    lon: float
    lat: float
    edge: Edge
    along_m: float
    point: Coord
    off_m: float  # from the point to the street, walked straight

    @property
    def share(self) -> float:
        return self.along_m / self.edge.length_m if self.edge.length_m else 0.0

    def head(self, mode: str) -> dict[int, float]:
        """The cost from the point to each end of its edge it may go to (leaving)."""
        return self._ends(mode, leaving=True)

    def tail(self, mode: str) -> dict[int, float]:
        """The cost from each end of its edge to the point, where allowed (arriving)."""
        return self._ends(mode, leaving=False)

    def _ends(self, mode: str, leaving: bool) -> dict[int, float]:
        edge, share = self.edge, self.share
        forward, back = edge.cost(mode), edge.cost(mode, forward=False)
        # Leaving: ahead to v along the edge, back to u against it. Arriving: from u along
        # it, from v against it.
        options = [(edge.v if leaving else edge.u, forward, 1 - share if leaving else share),
                   (edge.u if leaving else edge.v, back, share if leaving else 1 - share)]
        costs: dict[int, float] = {}
        for node, cost, part in options:
            if cost is not None:
                costs[node] = min(costs.get(node, math.inf), cost * part)
        return costs


# -- snapping ---------------------------------------------------------------------------


def _project(lon: float, lat: float, a: Coord, b: Coord) -> tuple[float, Coord]:
    """The share along segment a-b nearest to the point, and that point (local metres)."""
    kx = math.cos(math.radians(lat)) * M_PER_DEG
    ax, ay, bx, by = a[0] * kx, a[1] * M_PER_DEG, b[0] * kx, b[1] * M_PER_DEG
    px, py = lon * kx, lat * M_PER_DEG
    dx, dy = bx - ax, by - ay
    span = dx * dx + dy * dy
    share = 0.0 if span == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / span))
    return share, (a[0] + share * (b[0] - a[0]), a[1] + share * (b[1] - a[1]))


def _snap(g: Graph, lon: float, lat: float, mode: str) -> _Snap | None:
    """The nearest point on a street usable in ``mode``, within ``MAX_SNAP_M``."""
    pad = MAX_SNAP_M / (M_PER_DEG * max(0.2, math.cos(math.radians(lat))))
    best: tuple[float, int, int, Coord] | None = None
    seen: set[tuple[int, int]] = set()
    for key in cells((lon, lat, lon, lat), pad):
        for edge_id, i in g.grid.get(key, ()):
            if (edge_id, i) in seen or not g.edges[edge_id].usable(mode):
                continue
            seen.add((edge_id, i))
            coords = g.edges[edge_id].coords
            _share, point = _project(lon, lat, coords[i], coords[i + 1])
            off = distance_m(lon, lat, *point)
            if best is None or off < best[0]:
                best = (off, edge_id, i, point)
    if best is None or best[0] > MAX_SNAP_M:
        return None
    off, edge_id, i, point = best
    edge = g.edges[edge_id]
    along = line_length([*edge.coords[:i + 1], point])
    return _Snap(lon, lat, edge, min(along, edge.length_m), point, off)


def _checked_snap(g: Graph, lonlat: tuple[float, float], mode: str) -> _Snap:
    lon, lat = _lon_lat(lonlat)
    if district_at(lon, lat) is None:
        raise TwinError(TwinCode.OUTSIDE_CITY,
                        _("The point %(lon).5f, %(lat).5f is outside the city; routes are "
                          "built only within its districts.") % {"lon": lon, "lat": lat})
    if not g.edges:
        raise TwinError(TwinCode.NO_STREETS,
                        _("The city's streets have not been entered yet: there is nothing "
                          "to route on."), status=422)
    snap = _snap(g, lon, lat, mode)
    if snap is None:
        raise TwinError(TwinCode.FAR_FROM_STREETS,
                        _("There is no street within %(m)d m of this point.")
                        % {"m": MAX_SNAP_M}, status=422)
    return snap


def _lon_lat(lonlat: Any) -> tuple[float, float]:
    try:
        lon, lat = (float(value) for value in lonlat)
    except (TypeError, ValueError) as error:
        raise TwinError(TwinCode.BAD_COORDINATES,
                        _("A place is two numbers: longitude and latitude.")) from error
    check_lon_lat(lon, lat)
    return lon, lat


def _check_mode(mode: str) -> None:
    if mode not in MODES:
        raise TwinError(TwinCode.BAD_MODE, _("The mode must be “walk” or “drive”."))


# -- searching: the one place the two engines differ ----------------------------------------


def engine() -> str:
    """``pgrouting`` on PostGIS with the extension installed, else ``networkx``."""
    if "engine" not in _engine and is_postgres():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pgrouting'")
            _engine["engine"] = "pgrouting" if cursor.fetchone() else "networkx"
    return _engine.get("engine", "networkx")


def _search(g: Graph, sources: dict[int, float], targets: set[int], mode: str,
            using: str | None = None) -> dict[int, tuple[float, list[int]]]:
    """The least cost (seconds) and node path to each reachable target, starting from any
    source with its head start. pgRouting's SQL lives here and nowhere else."""
    if using == "pgrouting" or (using is None and engine() == "pgrouting"):
        found = _search_pgrouting(list(sources), targets, mode)
    else:
        found = _search_networkx(g, list(sources), targets, mode)
    best: dict[int, tuple[float, list[int]]] = {}
    for (source, target), (cost, path) in found.items():
        total = sources[source] + cost
        if target not in best or total < best[target][0]:
            best[target] = (total, path)
    return best


def _search_networkx(g: Graph, sources: list[int], targets: set[int], mode: str
                     ) -> dict[tuple[int, int], tuple[float, list[int]]]:
    found = {}
    graph_ = g.nx[mode]
    for source in sources:
        if source not in graph_:
            found.update({(source, t): (0.0, [source]) for t in targets if t == source})
            continue
        costs, paths = _dijkstra(graph_, source, weight="weight")
        found.update({(source, t): (costs[t], paths[t]) for t in targets if t in costs})
    return found


def _dijkstra(graph_: Any, source: int, weight: str) -> tuple[dict[int, float],
                                                               dict[int, list[int]]]:
    import networkx as nx

    costs, paths = nx.single_source_dijkstra(graph_, source, weight=weight)
    return costs, paths


def _search_pgrouting(sources: list[int], targets: set[int], mode: str
                      ) -> dict[tuple[int, int], tuple[float, list[int]]]:
    table = RouteEdge._meta.db_table
    # A negative cost is pgRouting's "no way": footpaths by car, one-way streets backwards.
    cost, reverse = (("walk_s", "walk_s") if mode == "walk" else
                     ("COALESCE(drive_s, -1)", "COALESCE(reverse_drive_s, -1)"))
    edges_sql = (f"SELECT id, source, target, {cost} AS cost, {reverse} AS reverse_cost "
                 f"FROM {table}")
    found: dict[tuple[int, int], tuple[float, list[int]]] = {
        (s, s): (0.0, [s]) for s in sources if s in targets}
    paths: dict[tuple[int, int], list[int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT start_vid, end_vid, node, agg_cost FROM pgr_dijkstra("
            "%s, %s::bigint[], %s::bigint[], directed => true) ORDER BY start_vid, end_vid, seq",
            [edges_sql, sources, sorted(targets)])
        for start, end, node, agg in cursor.fetchall():
            paths.setdefault((start, end), []).append(node)
            found[(start, end)] = (float(agg), paths[(start, end)])
    return found


# -- answering --------------------------------------------------------------------------


@dataclass
class _Piece:
    name: str
    coords: list[Coord]
    time_s: float

    @property
    def length_m(self) -> float:
        return line_length(self.coords)


def _partial(snap: _Snap, node: int, time_s: float) -> _Piece:
    """From the snapped point along its edge to ``node`` (one of the edge's ends)."""
    edge = snap.edge
    coords: list[Coord] = []
    walked = 0.0
    for a, b in zip(edge.coords, edge.coords[1:], strict=False):
        coords.append(a)
        step = distance_m(*a, *b)
        if walked + step >= snap.along_m:
            break
        walked += step
    coords.append(snap.point)
    if node == edge.v and not (edge.u == edge.v and snap.along_m < edge.length_m / 2):
        coords = [snap.point, *edge.coords[len(coords) - 1:]]
    else:
        coords.reverse()
    return _Piece(edge.name, coords, time_s)


def _assemble(g: Graph, start: _Snap, end: _Snap, path: list[int], mode: str) -> Route:
    pieces = [_Piece("", [(start.lon, start.lat), start.point], start.off_m / WALK_MPS),
              _partial(start, path[0], start.head(mode)[path[0]])]
    for a, b in itertools.pairwise(path):
        edge = g.edges[g.best[mode][(a, b)]]
        coords = edge.coords if edge.u == a else list(reversed(edge.coords))
        pieces.append(_Piece(edge.name, coords, edge.between(a, mode) or 0.0))
    last = _partial(end, path[-1], end.tail(mode)[path[-1]])
    pieces.append(_Piece(last.name, list(reversed(last.coords)), last.time_s))
    pieces.append(_Piece("", [end.point, (end.lon, end.lat)], end.off_m / WALK_MPS))
    return _route(pieces, mode)


def _along_one_edge(start: _Snap, end: _Snap, mode: str) -> Route | None:
    """Both points on the same piece of street: straight along it (None when ``mode`` may
    not go that way along it: a one-way street)."""
    edge = start.edge
    cost = edge.cost(mode, forward=start.along_m <= end.along_m)
    if cost is None:
        return None
    lo, hi = sorted((start, end), key=lambda s: s.along_m)
    inner = [c for c, at in _with_along(edge.coords) if lo.along_m < at < hi.along_m]
    coords = [lo.point, *inner, hi.point]
    if lo is end:
        coords.reverse()
    share = (hi.along_m - lo.along_m) / edge.length_m if edge.length_m else 0.0
    return _route([_Piece("", [(start.lon, start.lat), start.point], start.off_m / WALK_MPS),
                   _Piece(edge.name, coords, cost * share),
                   _Piece("", [end.point, (end.lon, end.lat)], end.off_m / WALK_MPS)], mode)


def _with_along(coords: list[Coord]) -> Iterable[tuple[Coord, float]]:
    walked = 0.0
    for i, c in enumerate(coords):
        if i:
            walked += distance_m(*coords[i - 1], *c)
        yield c, walked


def _route(pieces: list[_Piece], mode: str) -> Route:
    coords: list[Coord] = []
    steps: list[list[Any]] = []
    distance = time = 0.0
    for piece in pieces:
        length = piece.length_m
        if length <= 0.01:
            continue
        distance += length
        time += piece.time_s
        coords.extend(piece.coords if not coords or coords[-1] != piece.coords[0]
                      else piece.coords[1:])
        if piece.name and steps and steps[-1][0] == piece.name:
            steps[-1][1] += length
            steps[-1][2] += piece.time_s
        elif piece.name:
            steps.append([piece.name, length, piece.time_s])
    if len(coords) < 2:
        coords = (coords or [(0.0, 0.0)]) * 2
    return Route(distance, time, mode, LineString(coords, srid=4326),
                 [Step(name, length, t) for name, length, t in steps])


def route(from_lonlat: tuple[float, float], to_lonlat: tuple[float, float], mode: str = "walk",
          *, using: str | None = None) -> Route:
    """The quickest route between two points by street (``using``: force an engine, for the
    tests and the benchmark that compare them). Refusals are ``TwinError``: a point outside
    the city, far from any street, or no way between them (``unreachable``)."""
    _check_mode(mode)
    g = graph()
    start, end = _checked_snap(g, from_lonlat, mode), _checked_snap(g, to_lonlat, mode)
    arriving = end.tail(mode)
    found = _search(g, start.head(mode), set(arriving), mode, using)
    options = [(cost + arriving[node], path) for node, (cost, path) in found.items()]
    direct = _along_one_edge(start, end, mode) if start.edge.id == end.edge.id else None
    if not options and direct is None:
        raise TwinError(TwinCode.UNREACHABLE,
                        _("There is no way by street from here to there: the destination "
                          "is on a part of the network that is not connected."), status=422)
    if options:
        _cost, path = min(options, key=lambda option: option[0])
        via = _assemble(g, start, end, path, mode)
        if direct is None or via.time_s < direct.time_s:
            return via
    assert direct is not None
    return direct


def nearest_by_route(lonlat: tuple[float, float], layer: str, n: int = 3, mode: str = "walk",
                     where: dict[str, Any] | None = None, *, using: str | None = None
                     ) -> list[RoutedFeature]:
    """The ``n`` features of ``layer`` quickest to reach by street (``where``: property
    values they must have, e.g. ``{"status": "open"}``), quickest first; fewer, or none,
    when fewer can be reached. Candidates are taken nearest first in a straight line until
    the next one could not beat the n-th route (a route is never shorter than the line)."""
    _check_mode(mode)
    if not 1 <= n <= 50:
        raise TwinError(TwinCode.BAD_LIMIT, _("n must be between 1 and 50."))
    g = graph()
    start = _checked_snap(g, lonlat, mode)
    rows = Feature.objects.filter(layer=get_layer(layer), retired_at__isnull=True)
    for key, value in (where or {}).items():
        rows = rows.filter(**{f"properties__{key}": value})
    candidates = []
    for feature in rows:
        point = feature.geometry.point_on_surface
        candidates.append((distance_m(start.lon, start.lat, point.x, point.y), feature))
    candidates.sort(key=lambda pair: (pair[0], pair[1].pk))
    fastest = WALK_MPS if mode == "walk" else max(*DRIVE_KMH.values(), DRIVE_KMH_DEFAULT) / 3.6
    reached: list[_Reached] = []
    batch = max(3 * n, 8)
    for offset in range(0, len(candidates), batch):
        chunk = candidates[offset:offset + batch]
        if len(reached) >= n and chunk[0][0] / fastest >= reached[n - 1].time_s:
            break
        reached.extend(_reach(g, start, chunk, mode, using))
        reached.sort(key=lambda item: (item.time_s, item.feature.pk))
    # Only the answers get their geometry and steps: the other candidates' cost is enough.
    return [RoutedFeature(item.feature, item.build(), item.straight) for item in reached[:n]]


@dataclass
class _Reached:
    time_s: float
    feature: Feature
    straight: float
    build: Callable[[], Route]


def _reach(g: Graph, start: _Snap, chunk: list[tuple[float, Feature]], mode: str,
           using: str | None) -> list[_Reached]:
    ends = []
    for straight, feature in chunk:
        point = feature.geometry.point_on_surface
        end = _snap(g, point.x, point.y, mode)
        if end is not None:
            ends.append((straight, feature, end))
    targets = {node for _s, _f, end in ends for node in end.tail(mode)}
    found = _search(g, start.head(mode), targets, mode, using) if targets else {}
    reached = []
    for straight, feature, end in ends:
        walk_on_off = (start.off_m + end.off_m) / WALK_MPS
        options: list[tuple[float, list[int], Route | None]] = [
            (found[node][0] + cost + walk_on_off, found[node][1], None)
            for node, cost in end.tail(mode).items() if node in found]
        direct = _along_one_edge(start, end, mode) if start.edge.id == end.edge.id else None
        if direct is not None:
            options.append((direct.time_s, [], direct))
        if not options:
            continue
        time_s, path, ready = min(options, key=lambda option: option[0])
        build: Callable[[], Route] = (
            partial(_assemble, g, start, end, path, mode) if ready is None
            else partial(lambda done: done, ready))
        reached.append(_Reached(time_s, feature, straight, build))
    return reached
