"""The digital twin's operations: plain functions that views, the API, commands and other
modules call. The public ones are re-exported from ``misto.twin`` (see its docstring).

Spatial queries have one function each with two branches: PostGIS (GiST / KNN ``<->`` on
geography) and SpatiaLite (its R*Tree through the ``SpatialIndex`` virtual table, with an
expanding search window for "nearest"). Distances are geodesic metres on both.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import jsonschema
from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry, Point, Polygon
from django.db import connection, transaction
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from misto.twin import builtin
from misto.twin.errors import InvalidFeature, NotFound, TwinCode, TwinError
from misto.twin.models import Action, Feature, FeatureVersion, GeometryType, Layer, Visibility
from misto.twin.text import normalise_number, search_key, split_house, street_score

# Where a city can be: coordinates outside this box are "not lon/lat in Ukraine".
UKRAINE_BBOX = (22.0, 44.0, 40.3, 52.5)
EARTH_METRES_PER_DEGREE = 111_320.0


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


# --- Layers ----------------------------------------------------------------------------


def ensure_builtin_layers() -> int:
    """Create the built-in layers that are missing; returns how many were created."""
    created = 0
    for spec in builtin.LAYERS:
        defaults = {key: value for key, value in spec.items() if key != "code"}
        _layer, was_created = Layer.objects.get_or_create(
            code=spec["code"], defaults={**defaults, "builtin": True}
        )
        created += was_created
    return created


def get_layer(code: str) -> Layer:
    layer = Layer.objects.filter(code=code).first()
    if layer is None:
        if any(spec["code"] == code for spec in builtin.LAYERS):
            ensure_builtin_layers()
            return Layer.objects.get(code=code)
        raise NotFound(TwinCode.UNKNOWN_LAYER, _("There is no layer “%(code)s”.") % {"code": code})
    return layer


# Layer code <-> id, per process: the hot queries filter by id instead of joining the
# layer table. Cleared whenever a layer is saved or deleted and after every migrate/flush
# (apps.py); a layer's id never changes while it exists.
_layer_ids: dict[str, int] = {}
_layer_codes: dict[int, str] = {}


def layer_id(code: str) -> int:
    """The id of the layer with this code (cached); :class:`NotFound` if there is none."""
    pk = _layer_ids.get(code)
    if pk is None:
        pk = get_layer(code).pk
        _layer_ids[code] = pk
        _layer_codes[pk] = code
    return pk


def layer_code(pk: int) -> str:
    code = _layer_codes.get(pk)
    if code is None:
        code = Layer.objects.values_list("code", flat=True).get(pk=pk)
        _layer_ids[code] = pk
        _layer_codes[pk] = code
    return code


def forget_layers(**kwargs: Any) -> None:
    _layer_ids.clear()
    _layer_codes.clear()


def can_see(user: Any, layer: Layer) -> bool:
    from misto.core.permissions import can

    return layer.visibility == Visibility.PUBLIC or can(user, "twin.layer.view")


def can_edit(user: Any, layer: Layer, verb: str = "change") -> bool:
    """May ``user`` create, change or delete (``verb``) the features of ``layer``?

    The core's ``can`` adds the scope: the layer's owner department."""
    from misto.core.permissions import can

    return can(user, f"twin.feature.{verb}", layer)


def visible_layers(user: Any) -> list[Layer]:
    return [layer for layer in Layer.objects.order_by("pk") if can_see(user, layer)]


# --- Validation and writing --------------------------------------------------------------


def _geometry_kind(geometry: GEOSGeometry) -> str:
    return geometry.geom_type


def fit_geometry(layer: Layer, geometry: GEOSGeometry) -> GEOSGeometry:
    """Check the geometry against the layer's type; promote single to multi when needed.

    Raises :class:`InvalidFeature` with the reason.
    """
    errors: list[str] = []
    if geometry.empty:
        raise InvalidFeature([_("the geometry is empty")])
    if geometry.srid is None:
        geometry.srid = 4326
    if geometry.srid != 4326:
        geometry = geometry.transform(4326, clone=True)
    if not geometry.valid:
        errors.append(_("invalid geometry: %(reason)s") % {"reason": geometry.valid_reason})
    wanted = layer.geometry_type
    actual = _geometry_kind(geometry)
    if wanted != GeometryType.ANY and actual != wanted:
        if wanted == f"Multi{actual}":
            from django.contrib.gis import geos

            multi = {"Point": geos.MultiPoint, "LineString": geos.MultiLineString,
                     "Polygon": geos.MultiPolygon}[actual]
            geometry = multi(geometry, srid=4326)
        else:
            errors.append(
                _("geometry type %(actual)s does not fit layer “%(layer)s” (%(wanted)s)")
                % {"actual": actual, "layer": layer.code, "wanted": wanted}
            )
    west, south, east, north = UKRAINE_BBOX
    if isinstance(geometry, Point):
        x0 = x1 = geometry.x
        y0 = y1 = geometry.y
    else:
        x0, y0, x1, y1 = geometry.extent
    if x0 < west or x1 > east or y0 < south or y1 > north:
        errors.append(
            _("coordinates (%(x).6f, %(y).6f) are not longitude/latitude in Ukraine: "
              "wrong or undeclared coordinate reference system?") % {"x": x0, "y": y0}
        )
    if errors:
        raise InvalidFeature(errors)
    return geometry


_validators: dict[str, jsonschema.Draft202012Validator] = {}


def _validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    """One compiled validator per distinct schema (imports check thousands of rows)."""
    key = json.dumps(schema, sort_keys=True)
    validator = _validators.get(key)
    if validator is None:
        if len(_validators) > 200:
            _validators.clear()
        validator = _validators[key] = jsonschema.Draft202012Validator(schema)
    return validator


def property_errors(layer: Layer, properties: Any) -> list[str]:
    """Every reason the properties break the layer's JSON Schema (empty when fine)."""
    if not isinstance(properties, dict):
        return [_("properties must be a JSON object")]
    schema = layer.schema or {}
    errors: list[str] = []
    known = schema.get("properties", {})
    if schema.get("additionalProperties") is False:
        for key in properties:
            if key not in known:
                errors.append(
                    _("unknown property “%(key)s” (layer “%(layer)s” has: %(known)s)")
                    % {"key": key, "layer": layer.code, "known": ", ".join(sorted(known))}
                )
    validator = _validator(schema)
    for error in sorted(validator.iter_errors(properties), key=lambda e: list(e.path)):
        if error.validator == "additionalProperties":
            continue  # already reported by name above
        where = ".".join(str(part) for part in error.path)
        errors.append(f"{where}: {error.message}" if where else error.message)
    return errors


def display_name(layer: Layer, properties: dict[str, Any]) -> str:
    """The label people see: a name, or "street, house" for addresses and buildings."""
    name = properties.get("name")
    if isinstance(name, str) and name:
        return name[:300]
    street, house = properties.get("street"), properties.get("housenumber")
    if isinstance(street, str) and street:
        return f"{street}, {house}"[:300] if house else street[:300]
    return ""


def _key_for(layer: Layer, properties: dict[str, Any], name: str) -> str:
    street, house = properties.get("street"), properties.get("housenumber")
    if isinstance(street, str) and isinstance(house, str) and street and house:
        from misto.twin.text import house_key

        return f"{search_key(street)} {house_key(house)}"[:300]
    return search_key(name)[:300] if name else ""


@dataclass
class Draft:
    """A feature ready to be written: validated, normalised."""

    layer: Layer
    geometry: GEOSGeometry
    properties: dict[str, Any]
    number: str | None = None


def check_feature(layer: Layer, geometry: GEOSGeometry | str | dict[str, Any] | None,
                  properties: Any, number: str | None = None) -> Draft:
    """Validate a would-be feature; raises :class:`InvalidFeature` with every reason."""
    errors: list[str] = []
    geom: GEOSGeometry | None = None
    if geometry is None:
        errors.append(_("the geometry is missing"))
    else:
        try:
            geom = geometry if isinstance(geometry, GEOSGeometry) else parse_geometry(geometry)
            geom = fit_geometry(layer, geom)
        except InvalidFeature as error:
            errors.extend(error.errors)
            geom = None
    errors.extend(property_errors(layer, properties))
    if number is not None:
        number = normalise_number(number)
        if not number:
            errors.append(_("the public number is empty"))
    if errors or geom is None:
        raise InvalidFeature(errors or [_("the geometry is missing")])
    return Draft(layer, geom, dict(properties), number)


def parse_geometry(value: str | dict[str, Any]) -> GEOSGeometry:
    """GeoJSON (dict or text) or WKT to a geometry in EPSG:4326."""
    try:
        text = json.dumps(value) if isinstance(value, dict) else value
        geometry = GEOSGeometry(text)
    except (GEOSException, GDALException, ValueError, TypeError) as error:
        raise InvalidFeature([_("unreadable geometry: %(reason)s") % {"reason": error}]) from error
    if geometry.srid is None:
        geometry.srid = 4326
    return geometry


def _new_feature(draft: Draft, user: Any, reason: str, now: datetime) -> Feature:
    name = display_name(draft.layer, draft.properties)
    return Feature(
        layer=draft.layer, geometry=draft.geometry, properties=draft.properties,
        number=draft.number, name=name, search_key=_key_for(draft.layer, draft.properties, name),
        version=1, action=Action.CREATED, valid_from=now,
        changed_by=user if getattr(user, "is_authenticated", False) else None,
        reason=reason[:300],
    )


def create_feature(layer: Layer, geometry: GEOSGeometry | str | dict[str, Any] | None,
                   properties: dict[str, Any], *, number: str | None = None, user: Any = None,
                   reason: str = "") -> Feature:
    """Validate and create one feature (version 1); publishes ``twin.FeatureChanged``."""
    draft = check_feature(layer, geometry, properties, number)
    _check_number_free(draft.number)
    with transaction.atomic():
        feature = _new_feature(draft, user, reason, timezone.now())
        feature.save()
        _publish_change(feature)
    return feature


def bulk_create(drafts: Sequence[Draft], *, user: Any = None, reason: str = "",
                batch_size: int = 2000) -> int:
    """Write many validated drafts at once (imports, the demo). Call inside a transaction."""
    now = timezone.now()
    author = user.pk if getattr(user, "is_authenticated", False) else None
    geometry = "ST_GeomFromWKB(%s, 4326)" if is_postgres() else "GeomFromWKB(%s, 4326)"
    properties = "%s::jsonb" if is_postgres() else "%s"
    # Raw executemany: Django's bulk_create compiles every geometry value one by one, which
    # made the demo city and big imports several times slower.
    sql = (f"INSERT INTO twin_feature (layer_id, geometry, properties, number, name, "
           f"search_key, version, action, valid_from, changed_by_id, reason) VALUES "
           f"(%s, {geometry}, {properties}, %s, %s, %s, 1, 'created', %s, %s, %s)")
    rows = []
    for draft in drafts:
        name = display_name(draft.layer, draft.properties)
        rows.append((draft.layer.pk, bytes(draft.geometry.wkb),
                     json.dumps(draft.properties, ensure_ascii=False), draft.number, name,
                     _key_for(draft.layer, draft.properties, name), now, author, reason[:300]))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            cursor.executemany(sql, rows[start:start + batch_size])
    return len(rows)


def _check_number_free(number: str | None, exclude: int | None = None) -> None:
    if number is None:
        return
    taken = Feature.objects.filter(number=number)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise InvalidFeature([_("the number %(number)s is already taken") % {"number": number}])


def _archive(feature: Feature, until: datetime) -> None:
    """Keep the feature's current version in the history before it changes."""
    FeatureVersion.objects.create(
        feature=feature, version=feature.version, action=feature.action,
        geometry=feature.geometry, properties=feature.properties, number=feature.number,
        name=feature.name, valid_from=feature.valid_from, valid_to=until,
        changed_by_id=feature.changed_by_id, reason=feature.reason,
    )


def change_feature(feature_id: int, *, geometry: GEOSGeometry | str | dict[str, Any] | None = None,
                   properties: dict[str, Any] | None = None, number: str | None = None,
                   user: Any = None, reason: str = "") -> Feature:
    """Change a feature's geometry and/or properties, keeping the old version (who, why)."""
    with transaction.atomic():
        feature = (Feature.objects.select_for_update().select_related("layer")
                   .filter(pk=feature_id).first())
        if feature is None:
            raise NotFound(TwinCode.NOT_FOUND,
                           _("There is no feature %(id)s.") % {"id": feature_id})
        if feature.retired_at is not None:
            raise TwinError(TwinCode.RETIRED, _("The feature was retired; it cannot change."))
        draft = check_feature(
            feature.layer, feature.geometry if geometry is None else geometry,
            feature.properties if properties is None else properties,
            feature.number if number is None else number,
        )
        _check_number_free(draft.number, exclude=feature.pk)
        now = timezone.now()
        _archive(feature, now)
        feature.geometry = draft.geometry
        feature.properties = draft.properties
        feature.number = draft.number
        feature.name = display_name(feature.layer, draft.properties)
        feature.search_key = _key_for(feature.layer, draft.properties, feature.name)
        feature.version += 1
        feature.action = Action.CHANGED
        feature.valid_from = now
        feature.changed_by = user if getattr(user, "is_authenticated", False) else None
        feature.reason = reason[:300]
        feature.save()
        _publish_change(feature)
    return feature


def retire_feature(feature_id: int, *, user: Any = None, reason: str = "") -> Feature:
    """Retire a feature: it leaves the map but keeps its number and its history."""
    with transaction.atomic():
        feature = Feature.objects.select_for_update().filter(pk=feature_id).first()
        if feature is None:
            raise NotFound(TwinCode.NOT_FOUND,
                           _("There is no feature %(id)s.") % {"id": feature_id})
        if feature.retired_at is not None:
            raise TwinError(TwinCode.RETIRED, _("The feature is already retired."))
        now = timezone.now()
        _archive(feature, now)
        feature.version += 1
        feature.action = Action.RETIRED
        feature.valid_from = now
        feature.retired_at = now
        feature.changed_by = user if getattr(user, "is_authenticated", False) else None
        feature.reason = reason[:300]
        feature.save()
        _publish_change(feature)
    return feature


def _publish_change(feature: Feature) -> None:
    from misto.core.bus import publish
    from misto.twin.events import FeatureChanged

    publish(FeatureChanged(
        feature_id=feature.pk, layer=feature.layer.code, action=str(feature.action),
        version=feature.version, number=feature.number,
    ))


# --- History -------------------------------------------------------------------------


@dataclass(frozen=True)
class FeatureState:
    """A feature as it was in one version."""

    feature_id: int
    layer: str
    version: int
    action: str
    geometry: GEOSGeometry
    properties: dict[str, Any]
    number: str | None
    name: str
    valid_from: datetime
    valid_to: datetime | None
    changed_by: str
    reason: str


def _state(feature: Feature, layer_code: str) -> FeatureState:
    return FeatureState(
        feature.pk, layer_code, feature.version, feature.action, feature.geometry,
        feature.properties, feature.number, feature.name, feature.valid_from, None,
        feature.changed_by.get_username() if feature.changed_by else "", feature.reason,
    )


def _version_state(row: FeatureVersion, layer_code: str) -> FeatureState:
    return FeatureState(
        row.feature_id, layer_code, row.version, row.action, row.geometry, row.properties,
        row.number, row.name, row.valid_from, row.valid_to,
        row.changed_by.get_username() if row.changed_by else "", row.reason,
    )


def feature_history(feature_id: int) -> list[FeatureState]:
    """Every version of a feature, oldest first, the current one last."""
    feature = (Feature.objects.select_related("layer", "changed_by")
               .filter(pk=feature_id).first())
    if feature is None:
        raise NotFound(TwinCode.NOT_FOUND, _("There is no feature %(id)s.") % {"id": feature_id})
    rows = FeatureVersion.objects.filter(feature=feature).select_related("changed_by")
    return [*(_version_state(row, feature.layer.code) for row in rows),
            _state(feature, feature.layer.code)]


def feature_as_of(feature_id: int, when: datetime) -> FeatureState | None:
    """The feature as it was at ``when``; None if it did not exist or was retired then."""
    for state in feature_history(feature_id):
        ends = state.valid_to
        if state.valid_from <= when and (ends is None or when < ends):
            return None if state.action == Action.RETIRED else state
    return None


def layer_as_of(layer: Layer, when: datetime) -> list[FeatureState]:
    """Every feature of a layer as it was at ``when`` (two indexed queries)."""
    current = (Feature.objects.filter(layer=layer, valid_from__lte=when)
               .exclude(action=Action.RETIRED).select_related("changed_by"))
    states = [_state(feature, layer.code) for feature in current]
    older = (FeatureVersion.objects.filter(feature__layer=layer, valid_from__lte=when,
                                           valid_to__gt=when)
             .exclude(action=Action.RETIRED).select_related("changed_by"))
    states.extend(_version_state(row, layer.code) for row in older)
    states.sort(key=lambda state: state.feature_id)
    return states


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
    if row is None:
        return None
    props = row[1] if isinstance(row[1], dict) else json.loads(row[1])
    return District(row[0], str(props.get("name", "")), str(props.get("name_en", "")),
                    str(props.get("katottg", "")), str(props.get("prefix", "")))


def districts() -> list[District]:
    rows = Feature.objects.filter(layer__code=builtin.DISTRICTS, retired_at__isnull=True)
    return sorted((_district(row) for row in rows.only("pk", "properties")),
                  key=lambda d: d.prefix)


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
    return [Nearby(row[0], layer_code(row[1]), row[2], row[3], row[4] or "", row[5], row[6],
                   float(row[7]))
            for row in rows if row[7] is not None and float(row[7]) <= max_distance_m]


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


def nearest_address(lon: float, lat: float) -> Nearby | None:
    found = nearest(lon, lat, 1, layer=builtin.ADDRESSES, landmarks=False, max_distance_m=2000)
    return found[0] if found else None


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
    """District, nearest address and the ``n`` nearest landmarks of a point."""
    _check_coordinates(lon, lat)
    return Location(lon, lat, district_at(lon, lat), nearest_address(lon, lat),
                    nearest(lon, lat, n))


def landmark(number: str) -> Feature | None:
    """The current feature carrying a public number ("12-0457"), or None."""
    key = normalise_number(number)
    if not key:
        return None
    return (Feature.objects.select_related("layer")
            .filter(number=key, retired_at__isnull=True).order_by().first())


@dataclass(frozen=True)
class Landmark:
    """Where a numbered landmark is: what "number -> location" answers."""

    feature_id: int
    layer: str
    number: str
    kind: str
    lon: float
    lat: float


_NUMBER_SQL = """
SELECT f.id, f.layer_id, f.number, {kind}, {x}, {y}
FROM twin_feature f WHERE f.number = %s AND f.retired_at IS NULL
"""


def landmark_location(number: str) -> Landmark | None:
    """Number -> location in one indexed query (a point on the surface for areas)."""
    key = normalise_number(number)
    if not key:
        return None
    if is_postgres():
        sql = _NUMBER_SQL.format(kind="COALESCE(f.properties ->> 'kind', '')",
                                 x="ST_X(ST_PointOnSurface(f.geometry))",
                                 y="ST_Y(ST_PointOnSurface(f.geometry))")
    else:
        sql = _NUMBER_SQL.format(kind="COALESCE(json_extract(f.properties, '$.kind'), '')",
                                 x="X(ST_PointOnSurface(f.geometry))",
                                 y="Y(ST_PointOnSurface(f.geometry))")
    with connection.cursor() as cursor:
        cursor.execute(sql, [key])
        row = cursor.fetchone()
    if row is None:
        return None
    return Landmark(row[0], layer_code(row[1]), row[2], row[3] or "", row[4], row[5])


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


# --- Search ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchHit:
    kind: str  # "landmark", "address", "street", "feature"
    label: str
    feature_id: int
    layer: str
    lon: float
    lat: float
    number: str | None = None
    score: float = 1.0


def _hit(kind: str, feature: Feature, score: float) -> SearchHit:
    point = feature.geometry.point_on_surface
    return SearchHit(kind, feature.number or feature.name, feature.pk, feature.layer.code,
                     point.x, point.y, feature.number, round(score, 3))


def search(query: str, limit: int = 10, user: Any = None) -> list[SearchHit]:
    """Landmark numbers, addresses, streets and named places matching a query.

    Tolerates typos, every apostrophe variant and Latin (KMU 2010) spelling.
    """
    query = query.strip()[:200]
    if not query:
        return []
    limit = max(1, min(limit, 50))
    hits: list[SearchHit] = []
    found = landmark(query)
    if found is not None and (user is None or can_see(user, found.layer)):
        hits.append(_hit("landmark", found, 1.0))
    key = search_key(query)
    if not key:
        return hits
    street_part, house = split_house(key)
    streets = _match_streets(street_part)
    if house and streets:
        from misto.twin.text import house_key

        addresses = Feature.objects.filter(
            layer__code=builtin.ADDRESSES, retired_at__isnull=True,
            search_key__in=[f"{street} {house_key(house)}" for street, _s in streets[:5]],
        ).select_related("layer")
        score_of = dict(streets)
        for feature in addresses:
            street_key = feature.search_key.rsplit(" ", 1)[0]
            hits.append(_hit("address", feature, score_of.get(street_key, 0.5)))
    street_rows = {
        row.search_key: row for row in Feature.objects.filter(
            layer__code=builtin.STREETS, retired_at__isnull=True,
            search_key__in=[street for street, _s in streets[:limit]],
        ).select_related("layer")
    }
    for street, score in streets[:limit]:
        if street in street_rows:
            hits.append(_hit("street", street_rows[street], score * 0.95))
    if len(hits) < limit:
        named = Feature.objects.filter(
            retired_at__isnull=True, search_key__contains=key,
        ).exclude(layer__code__in=[builtin.ADDRESSES, builtin.STREETS, builtin.BUILDINGS])
        named = named.select_related("layer")
        for feature in named[: limit * 2]:
            if user is None or can_see(user, feature.layer):
                hits.append(_hit("feature", feature, 0.7))
    hits.sort(key=lambda hit: -hit.score)
    seen: set[int] = set()
    unique = []
    for hit in hits:
        if hit.feature_id not in seen:
            seen.add(hit.feature_id)
            unique.append(hit)
    return unique[:limit]


def _match_streets(street_key: str, threshold: float = 0.35) -> list[tuple[str, float]]:
    """Street keys resembling the query's street part, best first (typo-tolerant)."""
    if not street_key:
        return []
    keys = set(Feature.objects.filter(layer__code=builtin.STREETS, retired_at__isnull=True)
               .values_list("search_key", flat=True))
    scored = [(key, street_score(street_key, key)) for key in keys if key]
    good = [(key, score) for key, score in scored if score >= threshold]
    good.sort(key=lambda item: (-item[1], item[0]))
    return good


# --- Landmark numbers ------------------------------------------------------------------


@dataclass(frozen=True)
class NumberingResult:
    numbered: int
    outside: int  # landmarks outside every district (numbered with the prefix "00")


def number_prefix(layer: Layer, district_prefix: str) -> str:
    settings = {"prefix": "{district}-", "digits": 4, **(layer.numbering or {})}
    return str(settings["prefix"]).format(district=district_prefix, layer=layer.code)


def number_layer(layer: Layer, *, user: Any = None, renumber: bool = False) -> NumberingResult:
    """Give every unnumbered current feature of the layer its public number.

    A number is the layer's prefix (by default the district's prefix and a dash) and a
    zero-padded sequence that continues after the highest number already given under that
    prefix, so numbers stay unique and are never reused. Existing numbers are kept unless
    ``renumber`` (which only renumbers features that have no history of being seen).
    """
    digits = int({"digits": 4, **(layer.numbering or {})}["digits"])
    outside = 0
    numbered = 0
    with transaction.atomic():
        targets = Feature.objects.select_for_update().filter(layer=layer,
                                                            retired_at__isnull=True)
        if renumber:
            targets.update(number=None)
        pending = list(targets.filter(number__isnull=True).order_by("pk"))
        if not pending:
            return NumberingResult(0, 0)
        by_prefix: dict[str, list[Feature]] = {}
        district_rows = list(Feature.objects.filter(
            layer__code=builtin.DISTRICTS, retired_at__isnull=True))
        for feature in pending:
            point = feature.geometry.point_on_surface
            prefix_code = "00"
            for district in district_rows:
                if district.geometry.intersects(point):
                    prefix_code = str(district.properties.get("prefix", "00"))
                    break
            else:
                outside += 1
            by_prefix.setdefault(number_prefix(layer, prefix_code), []).append(feature)
        for prefix, features in by_prefix.items():
            start = _highest_sequence(prefix) + 1
            for offset, feature in enumerate(features):
                feature.number = f"{prefix}{start + offset:0{digits}d}"
            with connection.cursor() as cursor:
                cursor.executemany("UPDATE twin_feature SET number = %s WHERE id = %s",
                                   [(feature.number, feature.pk) for feature in features])
            numbered += len(features)
        from misto.core.bus import publish
        from misto.twin.events import LandmarksNumbered

        publish(LandmarksNumbered(layer=layer.code, count=numbered))
    return NumberingResult(numbered, outside)


def _highest_sequence(prefix: str) -> int:
    taken = Feature.objects.filter(number__startswith=prefix).values_list("number", flat=True)
    best = 0
    for number in taken:
        tail = (number or "")[len(prefix):]
        if tail.isdigit():
            best = max(best, int(tail))
    for number in FeatureVersion.objects.filter(number__startswith=prefix).values_list(
            "number", flat=True):
        tail = (number or "")[len(prefix):]
        if tail.isdigit():
            best = max(best, int(tail))
    return best


# --- GeoJSON ---------------------------------------------------------------------------


def feature_geojson(feature: Feature, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """A feature as a GeoJSON Feature (RFC 7946, lon/lat)."""
    properties = {
        **feature.properties, "layer": feature.layer.code, "number": feature.number,
        "name": feature.name, "version": feature.version,
        "valid_from": feature.valid_from.isoformat(),
    }
    if extra:
        properties.update(extra)
    return {"type": "Feature", "id": feature.pk,
            "geometry": json.loads(feature.geometry.geojson), "properties": properties}


def state_geojson(state: FeatureState) -> dict[str, Any]:
    return {
        "type": "Feature", "id": state.feature_id,
        "geometry": json.loads(state.geometry.geojson),
        "properties": {
            **state.properties, "layer": state.layer, "number": state.number,
            "name": state.name, "version": state.version, "action": state.action,
            "valid_from": state.valid_from.isoformat(),
            "valid_to": state.valid_to.isoformat() if state.valid_to else None,
            "changed_by": state.changed_by, "reason": state.reason,
        },
    }


def collection(features: Iterable[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


def layer_collection(layer: Layer) -> dict[str, Any]:
    rows = (Feature.objects.filter(layer=layer, retired_at__isnull=True)
            .select_related("layer").order_by("pk"))
    return collection(feature_geojson(row) for row in rows.iterator(chunk_size=2000))
