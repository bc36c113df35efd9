"""Building NGSI-LD entities from the registry and the latest state, and filtering them.

The filters run in Python over the public devices' entities: a city has thousands of
devices, not millions, and the same code then behaves alike on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.utils.dateparse import parse_datetime

from misto import twin
from misto.core.errors import MistoError
from misto.iot.models import Device, Latest, Quantity, Reading
from misto.iot.ngsi.schemas import EntitiesQuery, EntityQuery, TemporalQuery, options

CORE_CONTEXT = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"
PREFIX = "urn:ngsi-ld:"


class NgsiCode(StrEnum):
    """NGSI-LD's own error types (ETSI GS CIM 009, 5.5.2): clients compare these names."""

    BAD_REQUEST_DATA = "BadRequestData"
    INVALID_REQUEST = "InvalidRequest"
    RESOURCE_NOT_FOUND = "ResourceNotFound"
    OPERATION_NOT_SUPPORTED = "OperationNotSupported"


TITLES: dict[str, str] = {
    NgsiCode.BAD_REQUEST_DATA: "Bad request data",
    NgsiCode.INVALID_REQUEST: "Invalid request",
    NgsiCode.RESOURCE_NOT_FOUND: "Resource not found",
    NgsiCode.OPERATION_NOT_SUPPORTED: "Operation not supported",
}


class NgsiError(MistoError):
    """A refused NGSI-LD query; the standard's error body is ProblemDetails (RFC 7807)."""

    def api_body(self) -> dict[str, Any]:
        return {"type": f"https://uri.etsi.org/ngsi-ld/errors/{self.code}",
                "title": TITLES.get(self.code, str(self.code)),
                "detail": self.message, "status": self.status}


def bad(detail: str) -> NgsiError:
    return NgsiError(NgsiCode.BAD_REQUEST_DATA, detail)


def _iso(ts: datetime) -> str:
    return ts.isoformat().replace("+00:00", "Z")


def entity_id(device: Device) -> str:
    return f"{PREFIX}{device.model.entity_type}:{device.uid}"


def _units() -> dict[str, str]:
    return dict(Quantity.objects.values_list("code", "unit"))


def build(device: Device, latest: list[Latest], units: Mapping[str, str],
          key_values: bool = False) -> dict[str, Any]:
    entity: dict[str, Any] = {"id": entity_id(device), "type": device.model.entity_type}
    newest = max((row.ts for row in latest), default=None)
    if key_values:
        entity["name"] = device.name
        if device.location:
            entity["location"] = {"type": "Point",
                                  "coordinates": [device.location.x, device.location.y]}
        if newest:
            entity["dateObserved"] = _iso(newest)
        for row in latest:
            entity[row.quantity] = row.value
        return entity
    entity["name"] = {"type": "Property", "value": device.name}
    if device.location:
        entity["location"] = {"type": "GeoProperty", "value": {
            "type": "Point", "coordinates": [device.location.x, device.location.y]}}
    if newest:
        entity["dateObserved"] = {"type": "Property",
                                  "value": {"@type": "DateTime", "@value": _iso(newest)}}
    for row in latest:
        prop: dict[str, Any] = {"type": "Property", "value": row.value,
                                "observedAt": _iso(row.ts)}
        if units.get(row.quantity):
            prop["unitCode"] = units[row.quantity]
        entity[row.quantity] = prop
    entity["refDevice"] = {"type": "Relationship", "object": f"{PREFIX}Device:{device.uid}"}
    return entity


# --- q: the NGSI-LD query language (a subset: ; and |, comparisons, ranges, lists) -------

TERM = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(==|!=|>=|<=|>|<|~=)?\s*(.*?)\s*$")


def _literal(text: str) -> Any:
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1]
    try:
        return float(text)
    except ValueError:
        raise bad(f"q: {text!r} is not a number or a quoted string") from None


def _compare(actual: Any, op: str, expected: str) -> bool:
    if op in {"==", "!="} and ".." in expected and not expected.startswith('"'):
        low, _, high = expected.partition("..")
        lo, hi = _literal(low), _literal(high)
        inside = isinstance(actual, int | float) and lo <= actual <= hi
        return inside if op == "==" else not inside
    if op in {"==", "!="} and "," in expected and not expected.startswith('"'):
        options = [_literal(part) for part in expected.split(",")]
        return (actual in options) == (op == "==")
    if op == "~=":
        pattern = _literal(expected)
        if not isinstance(pattern, str):
            raise bad("q: ~= needs a quoted pattern")
        try:
            return isinstance(actual, str) and re.search(pattern, actual) is not None
        except re.error as error:
            raise bad(f"q: bad pattern: {error}") from None
    value = _literal(expected)
    if op == "==":
        return bool(actual == value)
    if op == "!=":
        return bool(actual != value)
    if not isinstance(actual, int | float) or not isinstance(value, float):
        return False
    return {">": actual > value, "<": actual < value, ">=": actual >= value,
            "<=": actual <= value}[op]


def parse_q(text: str) -> list[list[tuple[str, str | None, str]]]:
    """``a>1;b<2|c==3`` -> OR of ANDs of (attribute, operator, value)."""
    if len(text) > 1000:
        raise bad("q is too long")
    if "(" in text or ")" in text:
        raise NgsiError(NgsiCode.OPERATION_NOT_SUPPORTED, "q: parentheses are not supported",
                        status=422)
    groups = []
    for group in text.split("|"):
        terms = []
        for term in group.split(";"):
            match = TERM.match(term)
            if not match:
                raise bad(f"q: cannot read {term!r}")
            name, op, value = match.groups()
            if op and not value:
                raise bad(f"q: {term!r} has no value")
            if op:
                _compare(0.0, op, value)  # validates the literal now, not per entity
            terms.append((name, op, value))
        groups.append(terms)
    return groups


def _value(entity: Mapping[str, Any], name: str) -> Any:
    prop = entity.get(name)
    return prop.get("value") if isinstance(prop, dict) else prop


def matches_q(entity: Mapping[str, Any], groups: list[list[tuple[str, str | None, str]]]
              ) -> bool:
    for terms in groups:
        ok = True
        for name, op, value in terms:
            actual = _value(entity, name)
            if actual is None or (op is not None and not _compare(actual, op, value)):
                ok = False
                break
        if ok:
            return True
    return False


# --- geo-query: near a point -----------------------------------------------------------

def parse_geo(params: EntitiesQuery) -> tuple[float, float, str, float] | None:
    georel = params.georel
    if not georel:
        if params.geometry or params.coordinates:
            raise bad("geometry and coordinates need georel")
        return None
    parts = georel.split(";")
    if parts[0] != "near":
        raise NgsiError(NgsiCode.OPERATION_NOT_SUPPORTED,
                        f"georel {parts[0]!r} is not supported (near only)", status=422)
    if len(parts) != 2 or "==" not in parts[1]:
        raise bad("georel must be near;maxDistance==<metres> or near;minDistance==<metres>")
    key, _, amount = parts[1].partition("==")
    if key not in {"maxDistance", "minDistance"}:
        raise bad("georel near needs maxDistance or minDistance")
    try:
        metres = float(amount)
    except ValueError:
        raise bad("the distance must be a number of metres") from None
    if not math.isfinite(metres) or metres < 0:
        raise bad("the distance must be a non-negative number of metres")
    if params.geometry != "Point":
        raise bad("georel near needs geometry=Point")
    try:
        coordinates = json.loads(params.coordinates or "")
    except ValueError:
        raise bad("coordinates must be a JSON array [lon, lat]") from None
    if (not isinstance(coordinates, list) or len(coordinates) != 2
            or not all(isinstance(c, int | float) and not isinstance(c, bool)
                       for c in coordinates)):
        raise bad("coordinates must be a JSON array [lon, lat]")
    lon, lat = float(coordinates[0]), float(coordinates[1])
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise bad("coordinates out of range")
    return lon, lat, key, metres


# --- the operations --------------------------------------------------------------------

def _project(entity: dict[str, Any], attrs: str | None) -> dict[str, Any]:
    if not attrs:
        return entity
    keep = set(attrs.split(",")) | {"id", "type"}
    return {key: value for key, value in entity.items() if key in keep}


def query_entities(params: EntitiesQuery) -> tuple[list[dict[str, Any]], int]:
    types = [t for t in (params.type or "").split(",") if t]
    ids = [i for i in (params.id or "").split(",") if i]
    id_pattern = params.id_pattern
    try:
        pattern = re.compile(id_pattern) if id_pattern else None
    except re.error as error:
        raise bad(f"idPattern is not a regular expression: {error}") from None
    groups = parse_q(params.q) if params.q else None
    geo = parse_geo(params)
    limit, offset = params.limit, params.offset
    if not (types or ids or id_pattern or groups or geo or params.attrs):
        raise bad("give at least one of type, id, idPattern, q, attrs or georel")
    key_values = "keyValues" in options(params.options) or params.format == "simplified"
    devices = Device.objects.filter(active=True, public=True).select_related("model")
    if types:
        devices = devices.filter(model__entity_type__in=types)
    if ids:
        uids = [i.rsplit(":", 1)[-1] for i in ids if i.startswith(PREFIX)]
        devices = devices.filter(uid__in=uids)
    latest: dict[int, list[Latest]] = {}
    for row in Latest.objects.filter(device__in=devices).order_by("quantity"):
        latest.setdefault(row.device_id, []).append(row)
    units = _units()
    found: list[tuple[float, dict[str, Any]]] = []
    for device in devices.order_by("uid"):
        full = build(device, latest.get(device.pk, []), units)
        if ids and full["id"] not in ids:
            continue
        if pattern and not pattern.search(full["id"]):
            continue
        if groups is not None and not matches_q(full, groups):
            continue
        order = 0.0
        if geo is not None:
            if device.location is None:
                continue
            lon, lat, key, metres = geo
            order = twin.distance_m(lon, lat, device.location.x, device.location.y)
            if (key == "maxDistance" and order > metres) or (
                    key == "minDistance" and order < metres):
                continue
        if params.attrs and not any(a in full for a in params.attrs.split(",")):
            continue
        shown = build(device, latest.get(device.pk, []), units, True) if key_values else full
        found.append((order, _project(shown, params.attrs)))
    if geo is not None:
        found.sort(key=lambda pair: pair[0])
    page = [entity for _, entity in found[offset:offset + limit]]
    return page, len(found)


def _device(entity_ref: str) -> Device:
    if not entity_ref.startswith(PREFIX) or entity_ref.count(":") < 3:
        raise bad(f"{entity_ref[:200]!r} is not an NGSI-LD entity id (urn:ngsi-ld:Type:id)")
    kind, uid = entity_ref[len(PREFIX):].split(":", 1)
    device = Device.objects.select_related("model").filter(
        uid=uid, model__entity_type=kind, active=True, public=True).first()
    if device is None:
        raise NgsiError(NgsiCode.RESOURCE_NOT_FOUND, f"no entity {entity_ref[:200]!r}", status=404)
    return device


def get_entity(entity_ref: str, params: EntityQuery) -> dict[str, Any]:
    device = _device(entity_ref)
    key_values = "keyValues" in options(params.options)
    rows = list(Latest.objects.filter(device=device).order_by("quantity"))
    return _project(build(device, rows, _units(), key_values), params.attrs)


def _time(text: str | None, name: str) -> datetime:
    if not text:
        raise bad(f"{name} is required with this timerel")
    try:
        value = parse_datetime(text.replace(" ", "+"))
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise bad(f"{name} must be an ISO 8601 time with a time zone")
    return value


def temporal_entity(entity_ref: str, params: TemporalQuery) -> dict[str, Any]:
    """The entity with each attribute as its instances over time (or temporalValues)."""
    device = _device(entity_ref)
    readings = Reading.objects.filter(device_id=device.pk)
    timerel = params.timerel
    if timerel == "before":
        readings = readings.filter(ts__lt=_time(params.time_at, "timeAt"))
    elif timerel == "after":
        readings = readings.filter(ts__gt=_time(params.time_at, "timeAt"))
    elif timerel == "between":
        start, end = _time(params.time_at, "timeAt"), _time(params.end_time_at, "endTimeAt")
        if start >= end:
            raise bad("timeAt must be before endTimeAt")
        readings = readings.filter(ts__gte=start, ts__lt=end)
    elif timerel is not None:
        raise bad("timerel must be before, after or between")
    attrs = [a for a in (params.attrs or "").split(",") if a]
    quantities = [q for q in device.model.quantities if not attrs or q in attrs]
    per_attribute = params.last_n or 1000
    units = _units()
    temporal_values = "temporalValues" in options(params.options)
    entity: dict[str, Any] = {"id": entity_id(device), "type": device.model.entity_type}
    for quantity in quantities:
        rows = list(readings.filter(quantity=quantity).order_by("-ts")
                    .values_list("ts", "value")[:per_attribute])
        rows.reverse()
        if not rows:
            continue
        if temporal_values:
            entity[quantity] = {"type": "Property",
                                "values": [[value, _iso(ts)] for ts, value in rows]}
        else:
            unit = units.get(quantity)
            entity[quantity] = [
                {"type": "Property", "value": value, "observedAt": _iso(ts),
                 **({"unitCode": unit} if unit else {})} for ts, value in rows]
    return entity
