"""Geography in one place: distances, boxes and areas read from requests, and the
districts as plain values.

Every module used to carry its own haversine, its own ``west,south,east,north`` parser and
its own GeoJSON-area reader, each with slightly different checks; and consumers picked a
district's code out of ``feature.properties["katottg"]``. These are the one version.
Refusals are :class:`~misto.twin.errors.TwinError` with a stable ``code`` (``bad_bbox``,
``bad_area``) and a message for people; a module that speaks its own error codes re-raises
with the same message.

Distances use the haversine on the mean Earth radius: within a city its error (< 0.5 %) is
far below what "nearby" or "the same incident" needs, and it needs no geodesy library.
What is billed or signed for (a vehicle's kilometres on a waybill) is measured on the WGS 84
ellipsoid instead: ``geodesic_m`` (pyproj's geodesics, Karney's algorithm).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.gis.db.models import Extent
from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry, MultiPolygon, Polygon
from django.utils.translation import gettext as _

# pyproj stays a start-up import (~0.07 s), unlike the other slow libraries (docs/architecture.md):
# imported after the SpatiaLite extension has loaded the system's PROJ, it made the process
# abort at exit (a double free between the two copies of PROJ).
from pyproj import Geod

from misto.twin import builtin
from misto.twin.errors import TwinCode, TwinError
from misto.twin.models import Feature

EARTH_RADIUS_M = 6_371_008.8  # the mean radius (IUGG), metres
BBox = tuple[float, float, float, float]  # west, south, east, north in degrees
WORLD: BBox = (-180.0, -90.0, 180.0, 90.0)
UKRAINE_BBOX: BBox = (22.0, 44.0, 40.3, 52.5)  # where a Ukrainian city's lon/lat must lie


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres between two lon/lat points (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, a)))


_WGS84 = Geod(ellps="WGS84")


def geodesic_m(lons1: Sequence[float], lats1: Sequence[float], lons2: Sequence[float],
               lats2: Sequence[float]) -> list[float]:
    """Geodesic distances in metres on the WGS 84 ellipsoid between point pairs, in one
    vectorised call (a track's consecutive fixes: ``lons[:-1], lats[:-1], lons[1:], lats[1:]``)."""
    if not lons1:
        return []
    _forward, _back, distances = _WGS84.inv(list(lons1), list(lats1), list(lons2), list(lats2))
    return [float(d) for d in distances]


def parse_bbox(text: str) -> BBox:
    """``"west,south,east,north"`` in degrees, checked (NaN and infinities refused)."""
    try:
        west, south, east, north = (float(part) for part in text.split(","))
    except ValueError as error:
        raise TwinError(TwinCode.BAD_BBOX,
                        _("bbox must be four numbers: west,south,east,north")) from error
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise TwinError(TwinCode.BAD_BBOX,
                        _("bbox must have west < east and south < north, in degrees"))
    return west, south, east, north


def _geometry(value: str | dict[str, Any] | GEOSGeometry) -> GEOSGeometry:
    """GEOS geometry from GeoJSON (a geometry, a Feature or a one-feature collection, as
    text or dict), WKT, or a geometry (copied, so the caller's stays as it was)."""
    if isinstance(value, GEOSGeometry):
        return value.clone()
    if isinstance(value, str) and value.strip().startswith("{"):
        value = json.loads(value)
    if isinstance(value, dict):
        if value.get("type") == "Feature":
            value = value.get("geometry") or {}
        if value.get("type") == "FeatureCollection":
            features = value.get("features") or []
            if len(features) != 1:
                raise TwinError(TwinCode.BAD_AREA, _("Send exactly one area."))
            value = features[0].get("geometry") or {}
        value = json.dumps(value)
    return GEOSGeometry(str(value))


def parse_area(value: str | dict[str, Any] | GEOSGeometry,
               within: BBox = WORLD) -> Polygon | MultiPolygon:
    """A drawn area as a valid lon/lat Polygon or MultiPolygon (SRID 4326) lying inside
    ``within``; what was sent decides which of the two it is."""
    try:
        geometry = _geometry(value)
    except TwinError:
        raise
    except (GEOSException, GDALException, ValueError, TypeError, AttributeError) as error:
        raise TwinError(TwinCode.BAD_AREA, _("The area is not valid GeoJSON: %(reason)s")
                        % {"reason": error}) from error
    if geometry.srid is None:
        geometry.srid = 4326
    if geometry.srid != 4326:
        geometry.transform(4326)
    if not isinstance(geometry, Polygon | MultiPolygon):
        raise TwinError(TwinCode.BAD_AREA, _("The area must be a Polygon or MultiPolygon."))
    if geometry.empty or not geometry.valid:
        raise TwinError(TwinCode.BAD_AREA, _("The area is not a valid polygon: %(reason)s")
                        % {"reason": geometry.valid_reason})
    west, south, east, north = geometry.extent
    if west < within[0] or east > within[2] or south < within[1] or north > within[3]:
        raise TwinError(TwinCode.BAD_AREA, _("The area's coordinates are not longitude/latitude "
                                             "in this region (lon/lat swapped?)."))
    return geometry


def as_multipolygon(geometry: Polygon | MultiPolygon) -> MultiPolygon:
    """One shape for storing areas in a MultiPolygon column."""
    if isinstance(geometry, MultiPolygon):
        return geometry
    return MultiPolygon(geometry, srid=geometry.srid or 4326)


@dataclass(frozen=True)
class DistrictShape:
    """A district with its outline, as consumers need it (no feature properties to dig)."""

    katottg: str
    name: str
    name_en: str
    prefix: str
    geometry: GEOSGeometry


def _shape(feature: Feature) -> DistrictShape:
    props = feature.properties or {}
    return DistrictShape(str(props.get("katottg", "")), str(props.get("name", "")),
                         str(props.get("name_en", "")), str(props.get("prefix", "")),
                         feature.geometry)


def district_shapes(codes: Iterable[str] | None = None) -> list[DistrictShape]:
    """The current districts with their outlines (only those with the given KATOTTG codes
    when ``codes`` is given), by prefix."""
    rows = Feature.objects.filter(layer__code=builtin.DISTRICTS, retired_at__isnull=True)
    shapes = [_shape(row) for row in rows.only("pk", "properties", "geometry").order_by("pk")]
    if codes is not None:
        wanted = set(codes)
        shapes = [shape for shape in shapes if shape.katottg in wanted]
    return sorted(shapes, key=lambda shape: shape.prefix)


def districts_union(codes: Iterable[str]) -> MultiPolygon | None:
    """The union of the districts with these KATOTTG codes, or None when none is known."""
    polygons: list[GEOSGeometry] = []
    for shape in district_shapes(codes):
        geometry = shape.geometry
        polygons.extend(geometry if isinstance(geometry, MultiPolygon) else [geometry])
    if not polygons:
        return None
    union = MultiPolygon(*polygons, srid=4326).unary_union
    union.srid = 4326
    return union if isinstance(union, MultiPolygon) else MultiPolygon(union, srid=4326)


def districts_touching(area: GEOSGeometry) -> list[str]:
    """The KATOTTG codes of the districts an area meets, sorted."""
    rows = Feature.objects.filter(layer__code=builtin.DISTRICTS, retired_at__isnull=True,
                                  geometry__intersects=area)
    return sorted({shape.katottg for shape in map(_shape, rows.only("pk", "properties",
                                                                    "geometry"))
                   if shape.katottg})


_extent: tuple[float, BBox | None] = (-1e9, None)


def city_box(max_age_s: float = 60.0) -> BBox | None:
    """:func:`districts_extent`, remembered for ``max_age_s`` per process: for checks made on
    every GPS fix, which must not aggregate every district's outline each time."""
    global _extent
    if time.monotonic() - _extent[0] > max_age_s:
        _extent = (time.monotonic(), districts_extent())
    return _extent[1]


def forget_city_box() -> None:
    """Drop the remembered box (tests that build another city)."""
    global _extent
    _extent = (-1e9, None)


def districts_extent() -> BBox | None:
    """(west, south, east, north) around all districts (the city), or None without any:
    one aggregate in the database, not every outline loaded into Python."""
    extent = Feature.objects.filter(
        layer__code=builtin.DISTRICTS, retired_at__isnull=True
    ).aggregate(extent=Extent("geometry"))["extent"]
    return tuple(extent) if extent else None
