"""The routing graph: the street network as one edge table, built once per version of the
streets (and the optional ``footpaths`` layer), and this process's copy of it.

The lines are noded with GEOS (a node at every end and crossing, ends within ``SNAP_M``
merged); each piece becomes a :class:`~misto.twin.models.RouteEdge` with its geodesic length
and its walking and driving time (one-way streets drive one way only). The table is the one
graph both engines search (pgRouting on PostGIS, networkx here otherwise); the copy is
cached per process and checked against the layers' signature (their count, versions and
latest change) on every call, so an edit made in another process is seen. Searching and
answering are in :mod:`misto.twin.services.routing`.
"""

from __future__ import annotations

import itertools
import math
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.gis.geos import LineString, MultiLineString
from django.db import transaction
from django.db.models import Count, Max, Sum
from django.utils import timezone

from misto.twin import builtin
from misto.twin.geo import distance_m
from misto.twin.models import Feature, RouteEdge, RouteGraph

FOOTPATHS = "footpaths"  # an imported layer of paths: walkable, not drivable
ROUTED_LAYERS = (builtin.STREETS, FOOTPATHS)
MODES = ("walk", "drive")
WALK_MPS = 1.3  # 4.7 km/h: an adult walking briskly; slower walkers see times a bit short
DRIVE_KMH = {"проспект": 50, "шосе": 60, "набережна": 50, "провулок": 20, "проїзд": 20,
             "майдан": 20, "площа": 20}
DRIVE_KMH_DEFAULT = 40
SNAP_M = 1.0  # line ends closer than this are one node
MAX_SNAP_M = 400.0  # a point farther than this from every street is not routed
M_PER_DEG = 111_320.0
CELL_DEG = 0.004  # the snapping grid: ~450 m by ~300 m cells

Coord = tuple[float, float]


@dataclass
class Edge:
    id: int
    u: int
    v: int
    coords: list[Coord]
    length_m: float
    walk_s: float
    drive_s: float | None
    name: str
    reverse_drive_s: float | None = None

    def cost(self, mode: str, forward: bool = True) -> float | None:
        """Seconds along the edge from ``u`` to ``v`` (``forward``) or back; None where
        ``mode`` may not go that way (a footpath by car, a one-way street against it)."""
        if mode == "walk":
            return self.walk_s
        return self.drive_s if forward else self.reverse_drive_s

    def usable(self, mode: str) -> bool:
        return self.cost(mode) is not None or self.cost(mode, forward=False) is not None

    def between(self, a: int, mode: str) -> float | None:
        """The cost leaving from node ``a`` (one of the ends) to the other end."""
        return self.cost(mode, forward=a == self.u)


@dataclass
class Graph:
    signature: str
    edges: dict[int, Edge]
    nodes: dict[int, Coord]
    grid: dict[tuple[int, int], list[tuple[int, int]]] = field(default_factory=dict)
    nx: dict[str, Any] = field(default_factory=dict)  # networkx.Graph per mode
    # Per mode, the cheapest edge between two nodes (parallel pieces are possible).
    best: dict[str, dict[tuple[int, int], int]] = field(default_factory=dict)


_cache: dict[str, Graph] = {}
_lock = threading.Lock()


# -- building ---------------------------------------------------------------------------


def streets_signature() -> str:
    agg = Feature.objects.filter(layer__code__in=ROUTED_LAYERS).aggregate(
        n=Count("id"), v=Sum("version"), t=Max("valid_from"), r=Max("retired_at"))
    stamp = lambda value: value.isoformat() if value else "-"  # noqa: E731
    return f"{agg['n']}:{agg['v'] or 0}:{stamp(agg['t'])}:{stamp(agg['r'])}"


# How cars may use a line: both ways, only as drawn, only against it, not at all.
BOTH, ALONG, AGAINST, NO_CARS = "both", "along", "against", "none"
ONEWAY = {"yes": ALONG, "true": ALONG, "1": ALONG, "-1": AGAINST, "reverse": AGAINST}

_Line = tuple[LineString, str, str]


def _lines() -> list[_Line]:
    """Every current street and footpath line: (line, street name, how cars may use it)."""
    lines = []
    rows = (Feature.objects.filter(layer__code__in=ROUTED_LAYERS, retired_at__isnull=True)
            .values_list("geometry", "name", "properties", "layer__code"))
    for geometry, name, props, code in rows:
        parts = geometry if geometry.geom_type.startswith("Multi") else [geometry]
        cars = (ONEWAY.get(str(props.get("oneway", "")).casefold(), BOTH)
                if code == builtin.STREETS else NO_CARS)
        for part in parts:
            if part.geom_type == "LineString" and part.num_points >= 2:
                lines.append((LineString(part.coords, srid=4326),
                              name or props.get("name", ""), cars))
    return lines


def line_length(coords: list[Coord]) -> float:
    return sum(distance_m(*a, *b) for a, b in itertools.pairwise(coords))


def _drive_kmh(name: str) -> int:
    for kind, kmh in DRIVE_KMH.items():
        if kind in name.casefold():
            return kmh
    return DRIVE_KMH_DEFAULT


def _noded(lines: list[_Line]) -> Iterable[tuple[list[Coord], str, str]]:
    """The lines cut at every crossing (GEOS unary union), each piece with the name and the
    car rule of the original line it lies on (streets before footpaths); a one-way rule is
    turned round when the union drew the piece against its line."""
    union = MultiLineString([line for line, _n, _d in lines], srid=4326).unary_union
    noded: Any = union
    pieces: list[Any] = list(noded) if noded.geom_type.startswith("Multi") else [noded]
    index: dict[tuple[int, int], list[int]] = {}
    for i, (line, _n, _d) in enumerate(lines):
        for key in cells(line.extent, 0.0):
            index.setdefault(key, []).append(i)
    for piece in pieces:
        if piece.geom_type != "LineString" or piece.num_points < 2:
            continue
        middle = piece.interpolate(piece.length / 2)
        candidates = index.get(_cell(middle.x, middle.y), range(len(lines)))
        best = min(candidates, key=lambda i: (round(lines[i][0].distance(middle), 9),
                                              lines[i][2] == NO_CARS))
        line, name, cars = lines[best]
        coords = [(x, y) for x, y in piece.coords]
        if cars in (ALONG, AGAINST) and _drawn_against(line, coords):
            cars = AGAINST if cars == ALONG else ALONG
        yield coords, name, cars


def _drawn_against(line: LineString, coords: list[Coord]) -> bool:
    """Whether a piece of ``line`` runs against the line's own direction."""
    from django.contrib.gis.geos import Point

    first = line.project(Point(coords[0], srid=4326))
    last = line.project(Point(coords[-1], srid=4326))
    if first == last:  # a closed piece: its second point says which way
        last = line.project(Point(coords[1], srid=4326))
    return last < first


def _cell(lon: float, lat: float) -> tuple[int, int]:
    return (math.floor(lon / CELL_DEG), math.floor(lat / CELL_DEG))


def cells(extent: tuple[float, float, float, float], pad: float) -> Iterable[tuple[int, int]]:
    west, south, east, north = extent
    x0, y0 = _cell(west - pad, south - pad)
    x1, y1 = _cell(east + pad, north + pad)
    for x in range(x0, x1 + 1):
        for y in range(y0, y1 + 1):
            yield (x, y)


class _Nodes:
    """Node ids for line ends: ends within ``SNAP_M`` of each other share one."""

    def __init__(self) -> None:
        self.coords: dict[int, Coord] = {}
        self._grid: dict[tuple[int, int], list[int]] = {}
        self._step = SNAP_M / M_PER_DEG * 2

    def id(self, lon: float, lat: float) -> int:
        kx, ky = math.floor(lon / self._step), math.floor(lat / self._step)
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for node in self._grid.get((kx + dx, ky + dy), ()):
                    if distance_m(lon, lat, *self.coords[node]) <= SNAP_M:
                        return node
        node = len(self.coords) + 1  # pgRouting wants positive ids
        self.coords[node] = (lon, lat)
        self._grid.setdefault((kx, ky), []).append(node)
        return node


def rebuild(signature: str | None = None) -> RouteGraph:
    """Build the edge table from the current streets and footpaths (one transaction)."""
    signature = signature or streets_signature()
    lines = _lines()
    nodes = _Nodes()
    edges = []
    for coords, name, cars in (_noded(lines) if lines else ()):
        length = line_length(coords)
        if length <= 0:
            continue
        u, v = nodes.id(*coords[0]), nodes.id(*coords[-1])
        coords[0], coords[-1] = nodes.coords[u], nodes.coords[v]
        drive_s = length / (_drive_kmh(name) / 3.6)
        edges.append(RouteEdge(
            source=u, target=v, length_m=length, walk_s=length / WALK_MPS,
            drive_s=drive_s if cars in (BOTH, ALONG) else None,
            reverse_drive_s=drive_s if cars in (BOTH, AGAINST) else None,
            name=name, geometry=LineString(coords, srid=4326)))
    with transaction.atomic():
        RouteEdge.objects.all().delete()
        RouteEdge.objects.bulk_create(edges, batch_size=1000)
        RouteGraph.objects.all().delete()
        row = RouteGraph.objects.create(signature=signature, built_at=timezone.now(),
                                        nodes=len(nodes.coords), edges=len(edges))
    _cache.clear()
    return row


def _load(signature: str) -> Graph:
    import networkx as nx  # here, not at the top: only a process that routes pays for it

    graph = Graph(signature=signature, edges={}, nodes={})
    for mode in MODES:
        graph.nx[mode] = nx.DiGraph()  # one-way streets: each direction is its own arc
        graph.best[mode] = {}
    for row in RouteEdge.objects.all().order_by("id"):
        coords = [(x, y) for x, y in row.geometry.coords]
        edge = Edge(row.id, row.source, row.target, coords, row.length_m, row.walk_s,
                     row.drive_s, row.name, row.reverse_drive_s)
        graph.edges[edge.id] = edge
        graph.nodes[edge.u], graph.nodes[edge.v] = coords[0], coords[-1]
        for i, (a, b) in enumerate(itertools.pairwise(coords)):
            west, east = sorted((a[0], b[0]))
            south, north = sorted((a[1], b[1]))
            for key in cells((west, south, east, north), 0.0):
                graph.grid.setdefault(key, []).append((edge.id, i))
        if edge.u == edge.v:
            continue
        for mode in MODES:
            for tail, head in ((edge.u, edge.v), (edge.v, edge.u)):
                cost = edge.between(tail, mode)
                if cost is None:
                    continue
                known = graph.best[mode].get((tail, head))
                if known is None or cost < (graph.edges[known].between(tail, mode) or math.inf):
                    graph.best[mode][(tail, head)] = edge.id
                    graph.nx[mode].add_edge(tail, head, weight=cost)
    return graph


def graph() -> Graph:
    """The current routing graph, rebuilt if the streets changed since it was built."""
    signature = streets_signature()
    cached = _cache.get("graph")
    if cached is not None and cached.signature == signature:
        return cached
    with _lock:
        row = RouteGraph.objects.first()
        if row is None or row.signature != signature:
            rebuild(signature)
        loaded = _load(signature)
        _cache["graph"] = loaded
        return loaded


def forget() -> None:
    """Drop this process's graph (tests; a rebuild does it too)."""
    _cache.clear()
