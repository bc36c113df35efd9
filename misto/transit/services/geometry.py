"""Metres on a city's scale: a local flat projection, and a point's progress along a line.

A city is a few tens of kilometres across, where an equirectangular projection around its
middle is good to centimetres; it keeps the hot path (every vehicle fix) in plain Python.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

EARTH_M = 6_371_008.8


@dataclass(frozen=True)
class Plane:
    lat0: float

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        k = math.radians(1) * EARTH_M
        return lon * k * math.cos(math.radians(self.lat0)), lat * k


def metres(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_M * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class Polyline:
    """A line in metres with the distance along it at each vertex."""

    xs: tuple[float, ...]
    ys: tuple[float, ...]
    along: tuple[float, ...]

    @classmethod
    def of(cls, plane: Plane, points: Sequence[Sequence[float]]) -> Polyline:
        xs: list[float] = []
        ys: list[float] = []
        along: list[float] = []
        total = 0.0
        for i, (lon, lat) in enumerate(points):
            x, y = plane.xy(lon, lat)
            if i:
                total += math.hypot(x - xs[-1], y - ys[-1])
            xs.append(x)
            ys.append(y)
            along.append(total)
        return cls(tuple(xs), tuple(ys), tuple(along))

    @property
    def length(self) -> float:
        return self.along[-1] if self.along else 0.0

    def project(self, x: float, y: float, *, after: float = -math.inf,
                before: float = math.inf) -> tuple[float, float]:
        """(distance along the line, distance off it) of the nearest point, looking only at
        the part of the line between ``after`` and ``before`` metres (a loop's two passes)."""
        best = (0.0, math.inf)
        for i in range(len(self.xs) - 1):
            a0, a1 = self.along[i], self.along[i + 1]
            if a1 < after or a0 > before:
                continue
            x0, y0, x1, y1 = self.xs[i], self.ys[i], self.xs[i + 1], self.ys[i + 1]
            dx, dy = x1 - x0, y1 - y0
            seg = dx * dx + dy * dy
            t = 0.0 if seg == 0 else max(0.0, min(1.0, ((x - x0) * dx + (y - y0) * dy) / seg))
            off = math.hypot(x0 + t * dx - x, y0 + t * dy - y)
            if off < best[1]:
                best = (a0 + t * (a1 - a0), off)
        return best

    def point_at(self, plane: Plane, along: float) -> tuple[float, float]:
        """The lon/lat at ``along`` metres (clamped to the line)."""
        k = math.radians(1) * EARTH_M
        for i in range(len(self.xs) - 1):
            a0, a1 = self.along[i], self.along[i + 1]
            if along <= a1 or i == len(self.xs) - 2:
                t = 0.0 if a1 == a0 else max(0.0, min(1.0, (along - a0) / (a1 - a0)))
                x = self.xs[i] + t * (self.xs[i + 1] - self.xs[i])
                y = self.ys[i] + t * (self.ys[i + 1] - self.ys[i])
                return x / (k * math.cos(math.radians(plane.lat0))), y / k
        x, y = self.xs[0], self.ys[0]
        return x / (k * math.cos(math.radians(plane.lat0))), y / k

    def bearing_at(self, along: float) -> float:
        """Degrees clockwise from north of the line at ``along``."""
        for i in range(len(self.xs) - 1):
            if along <= self.along[i + 1] or i == len(self.xs) - 2:
                dx, dy = self.xs[i + 1] - self.xs[i], self.ys[i + 1] - self.ys[i]
                return (math.degrees(math.atan2(dx, dy)) + 360) % 360
        return 0.0
