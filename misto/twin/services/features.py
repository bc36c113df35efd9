"""Features: validation, the writes that keep every old version, the history read back from
those versions, and the GeoJSON shape features leave in.

Validation first, then the change: ``check_feature`` returns the :class:`Draft` (geometry
fitted to the layer, properties checked against its schema, number normalised) that every
write takes, and the writes never read raw input again. A write, the old version it keeps
(who, when, why) and the event it publishes are one change, hence one file.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry, Point
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from misto.core.bus import publish
from misto.twin.errors import InvalidFeature, NotFound, TwinCode, TwinError
from misto.twin.events import FeatureChanged
from misto.twin.geo import UKRAINE_BBOX
from misto.twin.models import (
    Action,
    Feature,
    FeatureVersion,
    GeometryType,
    Layer,
    TileVersion,
)
from misto.twin.services.dialect import is_postgres
from misto.twin.services.layers import LAYER_ACTIONS, can_edit, can_see
from misto.twin.text import house_key, normalise_number, search_key

if TYPE_CHECKING:
    import jsonschema

# Where a city can be: coordinates outside this box are "not lon/lat in Ukraine".


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
        # jsonschema is imported on the first validation, not with the services: it costs
        # every process ~0.07 s at start-up.
        import jsonschema

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


def touch(**_signal: Any) -> None:
    """Mark every map tile stale (a new ``TileVersion`` token), in the caller's transaction.
    Every write to features and layers calls it: the services writing raw SQL themselves,
    the rest through the models' signals (``apps.py``)."""
    token = secrets.token_hex(16)
    if not TileVersion.objects.filter(pk=1).update(token=token):
        TileVersion.objects.update_or_create(pk=1, defaults={"token": token})


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
    if rows:
        touch()
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
    publish(FeatureChanged(
        feature_id=feature.pk, layer=feature.layer.code, action=str(feature.action),
        version=feature.version, number=feature.number,
    ))


# --- Access --------------------------------------------------------------------------


def access_feature(user: Any, feature_id: int, action: str = "view") -> Feature:
    """The feature ``feature_id`` (its layer loaded), fetched and checked for ``user``.

    Missing, or on a layer the user may not see: the same 404 (:class:`NotFound`), so a
    staff-only feature's id reveals nothing. For ``change`` or ``delete`` on a feature the
    user sees but may not edit: ``TwinError`` ``forbidden`` (403). Retired features are
    found (their history and last state stay readable).
    """
    if action not in LAYER_ACTIONS or action == "create":
        raise ValueError(f"unknown feature action {action!r}")
    feature = Feature.objects.select_related("layer").filter(pk=feature_id).first() \
        if 0 < feature_id < 2**63 else None
    if feature is None or not can_see(user, feature.layer):
        raise NotFound(TwinCode.NOT_FOUND, _("There is no feature %(id)s.") % {"id": feature_id})
    if action != "view" and not can_edit(user, feature.layer, action):
        raise TwinError(TwinCode.FORBIDDEN, _("You may not edit this layer."), status=403)
    return feature


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
