"""Mapbox Vector Tiles of the twin's layers: the city's own basemap.

One function, two branches: PostGIS builds the tile in SQL (``ST_AsMVT``), SpatiaLite reads
the features through its R*Tree, clips them in SQL and encodes them with ``misto.twin.mvt``.
Each twin layer is one MVT layer named by its code; a layer appears from its ``min_zoom``.
Feature attributes: ``id``, ``layer``, ``number``, ``name``, ``name_en``, ``kind``,
``housenumber`` (what the maps' labels show).

A named polygon (a district) also gets one label point, in the layer ``<code>-labels`` of the
one tile that holds its point on surface: a label per tile piece of the polygon would repeat
the name across the screen.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.utils.translation import gettext as _

from misto.twin import mvt
from misto.twin.errors import TwinCode, TwinError
from misto.twin.models import Layer, TileVersion, Visibility
from misto.twin.services import is_postgres

EXTENT = 4096
BUFFER = 64
MAX_ZOOM = 22
MAX_FEATURES_PER_LAYER = 20_000
HALF_WORLD = 20037508.342789244
EARTH_RADIUS = 6378137.0


def check_tile(z: int, x: int, y: int) -> None:
    if not 0 <= z <= MAX_ZOOM:
        raise TwinError(TwinCode.BAD_TILE, _("zoom must be within 0..%(max)s") % {"max": MAX_ZOOM})
    if not (0 <= x < 2**z and 0 <= y < 2**z):
        raise TwinError(TwinCode.BAD_TILE, _("x and y must be within 0..%(max)s at zoom %(z)s")
                        % {"max": 2**z - 1, "z": z})


def tile_bounds_3857(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    size = 2 * HALF_WORLD / 2**z
    west = -HALF_WORLD + x * size
    north = HALF_WORLD - y * size
    return west, north - size, west + size, north


def tile_bounds_4326(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    def lon(tx: float) -> float:
        return tx / 2**z * 360.0 - 180.0

    def lat(ty: float) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * ty / 2**z))))

    return lon(x), lat(y + 1), lon(x + 1), lat(y)


def tile_for(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The x, y of the tile holding a point at zoom z."""
    n = 2**z
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def _layers_for(z: int, staff: bool) -> list[Layer]:
    """The layers a SpatiaLite tile holds (PostGIS chooses them in its SQL): their id and
    code only, the layers' JSON schemas and numbering need no decoding."""
    rows = Layer.objects.filter(min_zoom__lte=z).only("id", "code")
    if not staff:
        rows = rows.filter(visibility=Visibility.PUBLIC)
    return list(rows.order_by("pk"))


# Features come from ``tile_geom`` (their geometry in EPSG:3857, stored by the database:
# migration 0006) through its GiST index, so no row is projected per render. The aggregate
# FILTER drops the rows outside the tile: a WHERE on ``rows.geom`` would be pushed down into
# the scan, which then computes ST_AsMVTGeom twice per row. Label points are few and come
# from their own small index (named areas). The layers are chosen here too (what
# _layers_for chooses for SpatiaLite), saving a round trip.
_PG_TILE = """
WITH bounds AS MATERIALIZED (SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS geom),
rows AS (
  SELECT f.id, l.code AS layer, f.number, NULLIF(f.name, '') AS name,
         f.properties ->> 'name_en' AS name_en, f.properties ->> 'kind' AS kind,
         f.properties ->> 'housenumber' AS housenumber,
         ST_AsMVTGeom(f.tile_geom, bounds.geom, %(extent)s, %(buffer)s, true) AS geom
  FROM twin_feature f JOIN twin_layer l ON l.id = f.layer_id, bounds
  WHERE l.min_zoom <= %(z)s AND (%(staff)s OR l.visibility = %(public)s)
    AND f.retired_at IS NULL AND f.tile_geom && ST_Expand(bounds.geom, %(margin)s)
  UNION ALL
  SELECT f.id, l.code || '-labels', f.number, f.name, f.properties ->> 'name_en',
         f.properties ->> 'kind', NULL,
         ST_AsMVTGeom(ST_Transform(ST_PointOnSurface(f.geometry), 3857), bounds.geom,
                      %(extent)s, 0, true)
  FROM twin_feature f JOIN twin_layer l ON l.id = f.layer_id, bounds
  WHERE l.min_zoom <= %(z)s AND (%(staff)s OR l.visibility = %(public)s)
    AND f.retired_at IS NULL AND f.name <> ''
    AND ST_Dimension(f.geometry) = 2 AND f.tile_geom && bounds.geom
),
layers AS (
  SELECT ST_AsMVT(rows.*, rows.layer, %(extent)s, 'geom', 'id')
           FILTER (WHERE rows.geom IS NOT NULL) AS mvt
  FROM rows GROUP BY rows.layer
)
SELECT COALESCE(string_agg(mvt, ''::bytea), ''::bytea) FROM layers
"""


def pg_tile_params(z: int, x: int, y: int, *, staff: bool = False) -> dict[str, Any]:
    """The parameters of :data:`_PG_TILE` (the bench runs the same statement raw)."""
    margin = (2 * HALF_WORLD / 2**z) * BUFFER / EXTENT
    return {"z": z, "x": x, "y": y, "extent": EXTENT, "buffer": BUFFER, "margin": margin,
            "staff": staff, "public": Visibility.PUBLIC.value}


def pg_cursor() -> Any:
    """A psycopg cursor on Django's connection that binds on the server, unlike Django's own
    (client-side binding): the tile comes back as binary (not hex text, twice its size, that
    both sides then convert), and psycopg prepares a statement run five times on the
    connection (kept for CONN_MAX_AGE), so a tile is not planned again on every request."""
    import psycopg

    connection.ensure_connection()
    return psycopg.Cursor(connection.connection)


def tile(z: int, x: int, y: int, *, staff: bool = False) -> bytes:
    """The MVT tile z/x/y of the layers visible to the caller (``staff`` sees all)."""
    check_tile(z, x, y)
    if is_postgres():
        with connection.wrap_database_errors, pg_cursor() as cursor:
            cursor.execute(_PG_TILE, pg_tile_params(z, x, y, staff=staff), binary=True)
            row = cursor.fetchone()
        return bytes(row[0]) if row and row[0] is not None else b""
    layers = _layers_for(z, staff)
    return _spatialite_tile(z, x, y, layers) if layers else b""


def cluster() -> bool:
    """PostGIS: rewrite the features table in the order of its tile index (``CLUSTER``).

    Rows sit in the order they were written; after a bulk load in no spatial order the
    thousands of features of a dense z16 tile lie on as many pages, and reading them was
    most of the tile's time at 1,000,000 landmarks. Clustered, they share about a hundred.
    Edits do not keep the order: run it after large imports. It locks the table (reads
    included) while it runs, about 30 s for a million features. False on SpatiaLite, whose
    rows stay in rowid order (the R*Tree gives the rowids)."""
    if not is_postgres():
        return False
    # CLUSTER refuses a table with deferred checks pending (rows written earlier in the same
    # transaction): run them now, leaving the constraints deferred.
    connection.check_constraints()
    with connection.cursor() as cursor:
        cursor.execute("CLUSTER twin_feature USING twin_feature_tile_geom")
        cursor.execute("ANALYZE twin_feature")
    return True


#: Seconds a tile stays in the server's cache (a change to the twin makes it unreachable
#: at once: its key holds the version token).
TILE_CACHE_SECONDS = 3600


def tile_etag(z: int, x: int, y: int, *, staff: bool = False) -> str:
    """The tile's entity tag (RFC 9110): the twin's version token (``services.touch``) and
    who looks (staff see more layers). One primary-key lookup; 400 for a tile that does not
    exist."""
    check_tile(z, x, y)
    token = TileVersion.objects.filter(pk=1).values_list("token", flat=True).first()
    return f'"{token or "0"}{"s" if staff else "p"}"'


def cached_tile(z: int, x: int, y: int, etag: str, *, staff: bool = False) -> bytes:
    """:func:`tile`, from the cache while nothing in the twin changed: ``etag`` is the one
    :func:`tile_etag` gave the caller (looked up once per request)."""
    key = "twin:tile:" + hashlib.sha256(repr((
        etag, z, x, y, connection.settings_dict["NAME"])).encode()).hexdigest()
    data = cache.get(key)
    if data is None:
        data = tile(z, x, y, staff=staff)
        cache.set(key, data, TILE_CACHE_SECONDS)
    return bytes(data)


_SL_ROWS = """
SELECT f.id, f.layer_id, f.number, f.name, json_extract(f.properties, '$.kind'),
       json_extract(f.properties, '$.name_en'), json_extract(f.properties, '$.housenumber'),
       CASE WHEN f.name <> '' AND ST_Dimension(f.geometry) = 2
            THEN AsBinary(PointOnSurface(f.geometry)) END,
       CASE WHEN GeometryType(f.geometry) = 'POINT' THEN NULL
            WHEN GeometryType(f.geometry) = 'MULTIPOINT' THEN AsBinary(f.geometry)
            ELSE AsBinary(ST_Intersection(f.geometry, BuildMbr(%s, %s, %s, %s, 4326))) END,
       X(f.geometry), Y(f.geometry)
FROM twin_feature f
WHERE f.id IN (SELECT ROWID FROM SpatialIndex WHERE f_table_name = 'twin_feature'
               AND f_geometry_column = 'geometry' AND search_frame = BuildMbr(%s, %s, %s, %s))
  AND f.retired_at IS NULL AND f.layer_id IN ({placeholders})
"""


def _spatialite_tile(z: int, x: int, y: int, layers: list[Layer]) -> bytes:
    from django.contrib.gis.geos import GEOSGeometry

    west, south, east, north = tile_bounds_4326(z, x, y)
    pad_x = (east - west) * BUFFER / EXTENT
    pad_y = (north - south) * BUFFER / EXTENT
    box = [west - pad_x, south - pad_y, east + pad_x, north + pad_y]
    mx0, _my0, mx1, my1 = tile_bounds_3857(z, x, y)
    scale = EXTENT / (mx1 - mx0)

    def to_tile(point: Any) -> tuple[float, float]:
        lon, lat = point[0], max(min(point[1], 85.05112878), -85.05112878)
        mx = math.radians(lon) * EARTH_RADIUS
        my = math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) * EARTH_RADIUS
        return (mx - mx0) * scale, (my1 - my) * scale

    code_of = {layer.pk: layer.code for layer in layers}
    out = {layer.code: mvt.Layer(layer.code, EXTENT) for layer in layers}
    sql = _SL_ROWS.format(placeholders=", ".join("%s" for _ in layers))
    with connection.cursor() as cursor:
        cursor.execute(sql, [*box, *box, *code_of])
        rows = cursor.fetchall()
    for (feature_id, layer_id, number, name, kind, name_en, housenumber, label_at, blob,
         px, py) in rows:
        target = out[code_of[layer_id]]
        if label_at is not None:
            _add_label(out, target.name, GEOSGeometry(memoryview(bytes(label_at))), to_tile,
                       {"layer": f"{target.name}-labels", "number": number or None,
                        "name": name, "name_en": name_en or None, "kind": kind or None},
                       feature_id)
        if len(target.features) >= MAX_FEATURES_PER_LAYER:
            continue
        if px is not None and py is not None:  # a point: no geometry object needed
            encoded = mvt.encode_geometry("point", [to_tile((px, py))])
        elif blob is not None:
            geometry = GEOSGeometry(memoryview(bytes(blob)))
            if geometry.empty:
                continue
            encoded = _encode(geometry, to_tile)
        else:
            continue
        properties = {"layer": target.name, "number": number or None, "name": name or None,
                      "name_en": name_en or None, "kind": kind or None,
                      "housenumber": str(housenumber) if housenumber else None}
        target.add(encoded, properties, feature_id)
    return mvt.encode_tile(out.values())


def _add_label(out: dict[str, mvt.Layer], code: str, point: Any, to_tile: Any,
               properties: dict[str, Any], feature_id: int) -> None:
    """A polygon's label point, kept only by the tile that holds it (not its buffer)."""
    x, y = to_tile(point.coords)
    if not (0 <= x < EXTENT and 0 <= y < EXTENT):
        return
    name = f"{code}-labels"
    if name not in out:
        out[name] = mvt.Layer(name, EXTENT)
    out[name].add(mvt.encode_geometry("point", [(x, y)]), properties, feature_id)


def _encode(geometry: Any, to_tile: Any) -> tuple[int, list[int]] | None:
    """Flatten a GEOS geometry into MVT commands (the dimension with the most parts wins
    when a clipped geometry became a collection)."""
    points: list[tuple[float, float]] = []
    lines: list[list[tuple[float, float]]] = []
    polygons: list[list[list[tuple[float, float]]]] = []

    def walk(geom: Any) -> None:
        kind = geom.geom_type
        if kind == "Point":
            points.append(to_tile(geom.coords))
        elif kind == "LineString" or kind == "LinearRing":
            lines.append([to_tile(c) for c in geom.coords])
        elif kind == "Polygon":
            polygons.append([[to_tile(c) for c in ring] for ring in geom.coords])
        else:
            for part in geom:
                walk(part)

    walk(geometry)
    if polygons and len(polygons) >= max(len(lines), len(points)):
        return mvt.encode_geometry("polygon", polygons)
    if lines and len(lines) >= len(points):
        return mvt.encode_geometry("line", lines)
    return mvt.encode_geometry("point", points) if points else None
