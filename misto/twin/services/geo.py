"""Where things are, asked of the twin's tables: point -> district, the features and the
address nearest to a point, what lies in a box or an area.

The pure geography (distances, parsing boxes and areas, districts as plain values) is
:mod:`misto.twin.geo`; these queries sit here rather than there because they need the layer
cache of :mod:`misto.twin.services.layers`, and the services re-export them, so moving them
into ``misto.twin.geo`` would make it and the services import each other.

Spatial queries have one function each with two branches: PostGIS (GiST / KNN ``<->`` on
geography) and SpatiaLite (its R*Tree through the ``SpatialIndex`` virtual table, with an
expanding search window for "nearest"). Distances are geodesic metres on both.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.gis.geos import GEOSGeometry, Point, Polygon
from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from misto.twin import builtin
from misto.twin.errors import TwinCode, TwinError
from misto.twin.models import Feature
from misto.twin.services.dialect import is_postgres
from misto.twin.services.layers import get_layer, layer_code, layer_id

EARTH_METRES_PER_DEGREE = 111_320.0

# --- Point queries ---------------------------------------------------------------------


def check_lon_lat(lon: float, lat: float) -> Point:
    """A WGS 84 point, or :class:`TwinError` saying what is wrong with the coordinates."""
    _check_coordinates(lon, lat)
    return Point(lon, lat, srid=4326)


def _check_coordinates(lon: float, lat: float) -> None:
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise TwinError(TwinCode.BAD_COORDINATES, _("Coordinates must be finite numbers."))
    if not -180 <= lon <= 180 or not -90 <= lat <= 90:
        raise TwinError(
            TwinCode.BAD_COORDINATES,
            _("lon must be within -180..180 and lat within -90..90 (got lon=%(lon)s, "
              "lat=%(lat)s); did you swap them?") % {"lon": lon, "lat": lat},
        )


@dataclass(frozen=True)
class District:
    feature_id: int
    name: str
    name_en: str
    katottg: str
    prefix: str


def _district(feature: Feature) -> District:
    props = feature.properties
    return District(feature.pk, str(props.get("name", "")), str(props.get("name_en", "")),
                    str(props.get("katottg", "")), str(props.get("prefix", "")))


_DISTRICT_SQL = """
SELECT f.id, f.properties FROM twin_feature f
WHERE f.layer_id = %s AND f.retired_at IS NULL AND {intersects}
ORDER BY f.id LIMIT 1
"""


def district_at(lon: float, lat: float) -> District | None:
    """The district that contains the point (a border counts), or None outside the city.

    One SQL query: it is on every report's and every click's path.
    """
    _check_coordinates(lon, lat)
    intersects = ("ST_Intersects(f.geometry, ST_SetSRID(ST_MakePoint(%s, %s), 4326))"
                  if is_postgres() else "Intersects(f.geometry, MakePoint(%s, %s, 4326))")
    with connection.cursor() as cursor:
        cursor.execute(_DISTRICT_SQL.format(intersects=intersects),
                       [layer_id(builtin.DISTRICTS), lon, lat])
        row = cursor.fetchone()
    return None if row is None else _district_of_row(row[0], row[1])


def _district_of_row(pk: int, properties: Any) -> District:
    props = properties if isinstance(properties, dict) else json.loads(properties)
    return District(pk, str(props.get("name", "")), str(props.get("name_en", "")),
                    str(props.get("katottg", "")), str(props.get("prefix", "")))


def districts() -> list[District]:
    rows = Feature.objects.filter(layer__code=builtin.DISTRICTS, retired_at__isnull=True)
    return sorted((_district(row) for row in rows.only("pk", "properties")),
                  key=lambda d: d.prefix)


# Districts change once in years; a page lists hundreds of rows, so the names are read once
# a minute rather than once a row (and again when a code is missing, at most once a second).
_NAMES_TTL_SECONDS = 60.0
_names: dict[str, Any] = {"at": float("-inf"), "by_code": {}}


def district_name(code: str | None, language: str | None = None) -> str:
    """A district's name in ``language`` (the active one by default) for its KATOTTG code;
    the code itself when no district has it ("" for none)."""
    from misto.core.i18n import localized

    if not code:
        return ""
    age = time.monotonic() - _names["at"]
    if age > _NAMES_TTL_SECONDS or (code not in _names["by_code"] and age > 1.0):
        _names["by_code"] = {district.katottg: district for district in districts()}
        _names["at"] = time.monotonic()
    district = _names["by_code"].get(code)
    return localized(district, "name", language) if district is not None else code


@dataclass(frozen=True)
class Nearby:
    """A feature near a point, with its geodesic distance in metres."""

    feature_id: int
    layer: str
    number: str | None
    name: str
    kind: str
    lon: float
    lat: float
    distance_m: float


_NEAREST_PG = """
SELECT f.id, f.layer_id, f.number, f.name, COALESCE(f.properties ->> 'kind', ''),
       ST_X(ST_PointOnSurface(f.geometry)), ST_Y(ST_PointOnSurface(f.geometry)),
       ST_Distance(geography(f.geometry), geography(ST_SetSRID(ST_MakePoint(%s, %s), 4326)))
FROM twin_feature f
WHERE {where}
ORDER BY geography(f.geometry) <-> geography(ST_SetSRID(ST_MakePoint(%s, %s), 4326))
LIMIT %s
"""

_NEAREST_SL = """
SELECT f.id, f.layer_id, f.number, f.name, COALESCE(json_extract(f.properties, '$.kind'), ''),
       ST_X(ST_PointOnSurface(f.geometry)), ST_Y(ST_PointOnSurface(f.geometry)),
       ST_Distance(f.geometry, MakePoint(%s, %s, 4326), 1) AS d
FROM twin_feature f
WHERE f.id IN (SELECT ROWID FROM SpatialIndex WHERE f_table_name = 'twin_feature'
               AND f_geometry_column = 'geometry' AND search_frame = BuildMbr(%s, %s, %s, %s))
  AND {where}
ORDER BY d LIMIT %s
"""


def nearest(lon: float, lat: float, n: int = 3, *, layer: str | None = None,
            landmarks: bool = True, max_distance_m: float = 50_000) -> list[Nearby]:
    """The ``n`` current features nearest to a point, nearest first, distances in metres.

    ``landmarks=True`` (the default) looks at numbered features only (poles, manholes,
    trees... that carry a public number); ``layer`` restricts to one layer's code.
    """
    _check_coordinates(lon, lat)
    n = max(1, min(int(n), 100))
    where = ["f.retired_at IS NULL"]
    params: list[Any] = []
    if landmarks:
        where.append("f.number IS NOT NULL")
    if layer is not None:
        where.append("f.layer_id = %s")
        params.append(layer_id(layer))
    clause = " AND ".join(where)
    with connection.cursor() as cursor:
        if is_postgres():
            cursor.execute(_NEAREST_PG.format(where=clause), [lon, lat, *params, lon, lat, n])
            rows = cursor.fetchall()
        else:
            rows = _nearest_spatialite(cursor, clause, params, lon, lat, n, max_distance_m)
    return [_nearby_of_row(row) for row in rows
            if row[7] is not None and float(row[7]) <= max_distance_m]


def _nearby_of_row(row: tuple[Any, ...]) -> Nearby:
    """A :class:`Nearby` from the eight columns the nearest-feature queries select."""
    return Nearby(row[0], layer_code(row[1]), row[2], row[3], row[4] or "", row[5], row[6],
                  float(row[7]))


def _nearest_spatialite(cursor: Any, clause: str, params: list[Any], lon: float, lat: float,
                        n: int, max_distance_m: float) -> list[tuple[Any, ...]]:
    """Grow a square window around the point until ``n`` hits lie inside its inscribed
    circle: then no feature outside the window can be nearer, so the answer is exact."""
    radius = 25.0  # small first: in a dense city a big window means thousands of distances
    sql = _NEAREST_SL.format(where=clause)
    while True:
        dlat = radius / EARTH_METRES_PER_DEGREE * 1.01
        dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
        cursor.execute(sql, [lon, lat, lon - dlon, lat - dlat, lon + dlon, lat + dlat,
                             *params, n])
        rows = cursor.fetchall()
        if (len(rows) == n and rows[-1][7] is not None and rows[-1][7] <= radius) \
                or radius >= max_distance_m:
            return [row for row in rows if row[7] is not None and row[7] <= radius]
        radius = min(radius * 2, max_distance_m)


ADDRESS_WITHIN_METRES = 2000


def nearest_address(lon: float, lat: float) -> Nearby | None:
    found = nearest(lon, lat, 1, layer=builtin.ADDRESSES, landmarks=False,
                    max_distance_m=ADDRESS_WITHIN_METRES)
    return found[0] if found else None


# The district and the nearest address of a point in one round trip: a report's, an
# incident's and a stop's path asks for both. The nearest address is the same KNN query as
# ``_NEAREST_PG`` with the point from the outer row.
_DISTRICT_AND_ADDRESS_PG = """
SELECT d.id, d.properties, a.*
FROM (SELECT ST_SetSRID(ST_MakePoint(%s, %s), 4326) AS p) here
LEFT JOIN LATERAL (
    SELECT f.id, f.properties FROM twin_feature f
    WHERE f.layer_id = %s AND f.retired_at IS NULL AND ST_Intersects(f.geometry, here.p)
    ORDER BY f.id LIMIT 1) d ON true
LEFT JOIN LATERAL (
    SELECT f.id, f.layer_id, f.number, f.name, COALESCE(f.properties ->> 'kind', ''),
           ST_X(ST_PointOnSurface(f.geometry)), ST_Y(ST_PointOnSurface(f.geometry)),
           ST_Distance(geography(f.geometry), geography(here.p))
    FROM twin_feature f
    WHERE f.retired_at IS NULL AND f.layer_id = %s
    ORDER BY geography(f.geometry) <-> geography(here.p) LIMIT 1) a ON true
"""


def _district_and_address(lon: float, lat: float) -> tuple[District | None, Nearby | None]:
    """:func:`district_at` and :func:`nearest_address` together: one statement on
    PostgreSQL, the two functions elsewhere (an embedded database has no round trip)."""
    if not is_postgres():
        return district_at(lon, lat), nearest_address(lon, lat)
    with connection.cursor() as cursor:
        cursor.execute(_DISTRICT_AND_ADDRESS_PG, [lon, lat, layer_id(builtin.DISTRICTS),
                                                  layer_id(builtin.ADDRESSES)])
        row = cursor.fetchone()
    district = None if row[0] is None else _district_of_row(row[0], row[1])
    near = row[2:]
    address = (_nearby_of_row(near) if near[0] is not None and near[7] is not None
               and float(near[7]) <= ADDRESS_WITHIN_METRES else None)
    return district, address


@dataclass(frozen=True)
class Location:
    """What :func:`locate` answers about a point."""

    lon: float
    lat: float
    district: District | None
    address: Nearby | None
    landmarks: list[Nearby] = field(default_factory=list)

    @property
    def inside_city(self) -> bool:
        return self.district is not None


def locate(lon: float, lat: float, n: int = 3) -> Location:
    """District, nearest address and the ``n`` nearest landmarks of a point (none for
    ``n=0``: a caller that needs only the district and the address)."""
    _check_coordinates(lon, lat)
    district, address = _district_and_address(lon, lat)
    return Location(lon, lat, district, address, nearest(lon, lat, n) if n > 0 else [])


# --- Area queries ----------------------------------------------------------------------


def _index_filter(queryset: QuerySet[Feature], west: float, south: float, east: float,
                  north: float) -> QuerySet[Feature]:
    """Restrict to features whose box meets the given one, through the spatial index."""
    if is_postgres():
        return queryset.filter(
            geometry__bboverlaps=Polygon.from_bbox((west, south, east, north))
        )
    return queryset.filter(pk__in=RawSQL(
        "SELECT ROWID FROM SpatialIndex WHERE f_table_name = 'twin_feature' AND "
        "f_geometry_column = 'geometry' AND search_frame = BuildMbr(%s, %s, %s, %s)",
        (west, south, east, north),
    ))


def features_in_bbox(bbox: tuple[float, float, float, float],
                     layers: Iterable[str] | None = None) -> QuerySet[Feature]:
    """Current features meeting a (west, south, east, north) box, optionally by layer."""
    west, south, east, north = bbox
    rows = Feature.objects.filter(retired_at__isnull=True)
    if layers is not None:
        rows = rows.filter(layer__code__in=list(layers))
    rows = _index_filter(rows, west, south, east, north)
    return rows.filter(geometry__intersects=Polygon.from_bbox(bbox)).select_related("layer")


def features_within(area: GEOSGeometry, layer: str, *, predicate: str = "intersects"
                    ) -> QuerySet[Feature]:
    """Current features of a layer inside an area (``intersects``: touching it at all;
    ``within``: wholly inside), e.g. the buildings an outage covers."""
    if area.srid is None:
        area.srid = 4326
    if area.srid != 4326:
        area = area.transform(4326, clone=True)
    if predicate not in {"intersects", "within"}:
        raise TwinError(TwinCode.BAD_PREDICATE, _("predicate must be intersects or within"))
    west, south, east, north = area.extent
    rows = _index_filter(
        Feature.objects.filter(layer=get_layer(layer), retired_at__isnull=True),
        west, south, east, north,
    )
    return rows.filter(**{f"geometry__{predicate}": area})
