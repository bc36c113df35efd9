"""The live map: its GeoJSON, its filters and the change log that keeps screens current.

Every change to an incident, a device, an outage or an emergency goes through
:func:`record_change`, which logs it for the live stream and stores the incident's map
Feature; the map endpoint, cached per change, and the stream both read from here.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Max, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from misto import twin
from misto.situation.errors import SituationCode, SituationError
from misto.situation.models import (
    ACTIVE_STATUSES,
    Change,
    DeviceState,
    Emergency,
    Incident,
    IncidentKind,
    Outage,
    Severity,
    Status,
)
from misto.situation.services import mapstate


def record_change(topic: str, ref: Any) -> None:
    """Log a change for the live stream; for an incident, also store its map Feature."""
    if topic == Change.Topic.INCIDENT:
        store_map_json([int(ref)])
    Change.objects.create(topic=topic, ref=str(ref))


def store_map_json(incident_ids: Iterable[int] | None = None, batch: int = 2000) -> int:
    """Write the map Feature of these incidents (all whose copy is missing when None)."""
    kinds = _kind_codes()
    rows = Incident.objects.all()
    rows = rows.filter(pk__in=list(incident_ids)) if incident_ids is not None \
        else rows.filter(map_json="")
    done = 0
    updates: list[Incident] = []
    for row in rows.values_list(*MAP_FIELDS).iterator(chunk_size=batch):
        text = json.dumps(_feature(row, kinds), ensure_ascii=False, separators=(",", ":"))
        updates.append(Incident(pk=row[0], map_json=text))
        if len(updates) >= batch:
            done += Incident.objects.bulk_update(updates, ["map_json"])
            updates = []
    if updates:
        done += Incident.objects.bulk_update(updates, ["map_json"])
    return done


def forget_map_json(**filters: Any) -> int:
    """Drop stored map Features (a kind renamed, a crew deleted...): the map endpoint
    renders those rows in SQL until their next change stores them again. No change-log
    entry says so: every process's map is rebuilt at its next request."""
    count = Incident.objects.filter(**filters).update(map_json="")
    mapstate.forget()
    return count


# --- Reading: the map ---------------------------------------------------------------------


@dataclass
class IncidentFilter:
    statuses: list[str] = field(default_factory=lambda: list(ACTIVE_STATUSES))
    kinds: list[str] = field(default_factory=list)
    districts: list[str] = field(default_factory=list)
    severities: list[str] = field(default_factory=list)
    since: datetime | None = None
    until: datetime | None = None
    bbox: tuple[float, float, float, float] | None = None
    emergency: int | None = None
    limit: int = 20_000


PERIODS = {"1h": timedelta(hours=1), "24h": timedelta(hours=24), "7d": timedelta(days=7),
           "30d": timedelta(days=30), "365d": timedelta(days=365)}


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _when(value: str, name: str) -> datetime:
    when = None
    try:
        when = parse_datetime(value)
    except ValueError:
        when = None
    if when is None:
        raise SituationError(
            SituationCode.BAD_FILTER,
            _("%(name)s must be an ISO 8601 time, e.g. "
              "2026-04-24T10:00:00+03:00 (got “%(value)s”).")
            % {"name": name, "value": value})
    return timezone.make_aware(when) if timezone.is_naive(when) else when


def parse_filter(*, status: str | None = None, kind: str | None = None,
                 district: str | None = None, severity: str | None = None,
                 period: str | None = None, since: str | None = None,
                 until: str | None = None, bbox: str | None = None,
                 emergency: int | None = None, limit: int | None = None) -> IncidentFilter:
    """Read the map's filters from query strings; :class:`SituationError` says what is wrong.

    ``status``: comma-separated statuses, ``active`` (the default: every status but
    resolved) or ``all``. ``period``: 1h, 24h, 7d, 30d, 365d (incidents opened since then).
    """
    result = IncidentFilter()
    statuses = _split(status) or ["active"]
    chosen: list[str] = []
    for item in statuses:
        if item == "active":
            chosen.extend(ACTIVE_STATUSES)
        elif item == "all":
            chosen.extend(Status.values)
        elif item in Status.values:
            chosen.append(item)
        else:
            raise SituationError(
                SituationCode.BAD_FILTER,
                _("Unknown status “%(status)s” (use %(known)s, active or all).")
                % {"status": item, "known": ", ".join(Status.values)})
    result.statuses = sorted(set(chosen))
    kinds = _split(kind)
    if kinds:
        known = set(IncidentKind.objects.values_list("code", flat=True))
        unknown = [k for k in kinds if k not in known]
        if unknown:
            raise SituationError(
                SituationCode.BAD_FILTER,
                _("Unknown incident kind “%(kind)s” (known: %(known)s).")
                % {"kind": unknown[0], "known": ", ".join(sorted(known))})
    result.kinds = kinds
    result.districts = _split(district)
    severities = _split(severity)
    for item in severities:
        if item not in Severity.values:
            raise SituationError(
                SituationCode.BAD_FILTER,
                _("Unknown severity “%(severity)s” (use %(known)s).")
                % {"severity": item, "known": ", ".join(Severity.values)})
    result.severities = severities
    if period:
        if period not in PERIODS:
            raise SituationError(
                SituationCode.BAD_FILTER,
                _("Unknown period “%(period)s” (use %(known)s).")
                % {"period": period, "known": ", ".join(PERIODS)})
        result.since = timezone.now() - PERIODS[period]
    if since:
        result.since = _when(since, "since")
    if until:
        result.until = _when(until, "until")
    if bbox:
        try:
            result.bbox = twin.parse_bbox(bbox)
        except twin.TwinError as error:
            raise SituationError(SituationCode.BAD_FILTER, error.message) from error
    result.emergency = emergency
    if limit is not None:
        if limit < 1:
            raise SituationError(SituationCode.BAD_FILTER, _("limit must be at least 1"))
        result.limit = min(limit, 50_000)
    return result


def filtered_incidents(flt: IncidentFilter) -> QuerySet[Incident]:
    rows = Incident.objects.filter(status__in=flt.statuses)
    if flt.kinds:
        rows = rows.filter(kind__code__in=flt.kinds)
    if flt.districts:
        rows = rows.filter(district__in=flt.districts)
    if flt.severities:
        rows = rows.filter(severity__in=flt.severities)
    if flt.since is not None:
        rows = rows.filter(opened_at__gte=flt.since)
    if flt.until is not None:
        rows = rows.filter(opened_at__lt=flt.until)
    if flt.bbox is not None:
        west, south, east, north = flt.bbox
        rows = rows.filter(lon__range=(west, east), lat__range=(south, north))
    if flt.emergency is not None:
        rows = rows.filter(emergency_id=flt.emergency)
    return rows


MAP_FIELDS = ("id", "kind_id", "status", "severity", "district", "district_name", "lon",
              "lat", "sources", "title", "address", "landmark", "department", "crew_id",
              "emergency_id", "opened_at", "assigned_at", "resolved_at")


def iso_z(when: datetime | None) -> str | None:
    """UTC, to the second: the map's time format (the SQL below writes the same)."""
    if when is None:
        return None
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _kind_codes() -> dict[int, str]:
    return dict(IncidentKind.objects.values_list("pk", "code"))


def _feature(row: tuple[Any, ...], kinds: dict[int, str]) -> dict[str, Any]:
    (pk, kind_id, status, severity, district, district_name, lon, lat, sources, title,
     address, landmark, department, crew_id, emergency_id, opened, assigned, resolved) = row
    sources = json.loads(sources) if isinstance(sources, str) else sources
    return {
        "type": "Feature", "id": pk,
        "geometry": None if lon is None or lat is None
        else {"type": "Point", "coordinates": [round(lon, 7), round(lat, 7)]},
        "properties": {
            "id": pk, "kind": kinds.get(kind_id, "other"), "status": status,
            "severity": severity, "district": district or None,
            "district_name": district_name, "sources": sources, "title": title,
            "address": address, "landmark": landmark, "department": department,
            "crew": crew_id, "emergency": emergency_id, "opened_at": iso_z(opened),
            "assigned_at": iso_z(assigned), "resolved_at": iso_z(resolved),
        },
    }


# The same Feature, written by the database as JSON text: the map endpoint hands out
# thousands of them, and letting the database serialise is several times faster than
# building Python dicts and encoding them again.
_T = '"situation_incident".'
_FEATURE_SQL = {
    "sqlite": (
        "json_object('type', 'Feature', 'id', {t}id, 'geometry', CASE WHEN {t}lon IS NULL "
        "OR {t}lat IS NULL THEN NULL ELSE json_object('type', 'Point', 'coordinates', "
        "json_array(round({t}lon, 7), round({t}lat, 7))) END, 'properties', json_object("
        "'id', {t}id, 'kind', (SELECT k.code FROM situation_incidentkind k "
        "WHERE k.id = {t}kind_id), 'status', {t}status, 'severity', {t}severity, "
        "'district', NULLIF({t}district, ''), 'district_name', {t}district_name, "
        "'sources', json({t}sources), 'title', {t}title, 'address', {t}address, "
        "'landmark', {t}landmark, 'department', {t}department, 'crew', {t}crew_id, "
        "'emergency', {t}emergency_id, "
        "'opened_at', strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', {t}opened_at), "
        "'assigned_at', strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', {t}assigned_at), "
        "'resolved_at', strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', {t}resolved_at)))"
    ),
    "postgresql": (
        "json_build_object('type', 'Feature', 'id', {t}id, 'geometry', CASE WHEN {t}lon "
        "IS NULL OR {t}lat IS NULL THEN NULL ELSE json_build_object('type', 'Point', "
        "'coordinates', json_build_array(round({t}lon::numeric, 7), "
        "round({t}lat::numeric, 7))) END, 'properties', json_build_object("
        "'id', {t}id, 'kind', (SELECT k.code FROM situation_incidentkind k "
        "WHERE k.id = {t}kind_id), 'status', {t}status, 'severity', {t}severity, "
        "'district', NULLIF({t}district, ''), 'district_name', {t}district_name, "
        "'sources', {t}sources, 'title', {t}title, 'address', {t}address, "
        "'landmark', {t}landmark, 'department', {t}department, 'crew', {t}crew_id, "
        "'emergency', {t}emergency_id, "
        "'opened_at', to_char({t}opened_at AT TIME ZONE 'UTC', "
        "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
        "'assigned_at', to_char({t}assigned_at AT TIME ZONE 'UTC', "
        "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
        "'resolved_at', to_char({t}resolved_at AT TIME ZONE 'UTC', "
        "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')))::text"
    ),
}


def incident_collection_text(flt: IncidentFilter) -> str:
    """The map's data as GeoJSON text: incidents matching the filter, newest first.

    One query; each row's Feature is serialised by the database (``_FEATURE_SQL``, the
    same shape as :func:`incident_collection`), Python only joins them.
    """
    template = _FEATURE_SQL.get(connection.vendor)
    if template is None:
        return json.dumps(incident_collection(flt), ensure_ascii=False,
                          separators=(",", ":"))
    stored_or_rendered = f"COALESCE(NULLIF({_T}map_json, ''), {template.format(t=_T)})"
    matching = filtered_incidents(flt)
    # The database sorts narrow rows (ids) for the limit; the wide ones come unsorted and
    # Python orders them: sorting megabytes of text in the database spills to disk.
    newest = matching.order_by("-opened_at", "-id").values("pk")[: flt.limit]
    order = list(newest.values_list("pk", flat=True))
    features = dict(Incident.objects.filter(pk__in=newest).order_by()
                    .annotate(feature=RawSQL(stored_or_rendered, ()))
                    .values_list("id", "feature"))
    return ('{"type":"FeatureCollection","features":['
            + ",".join(features[pk] for pk in order if pk in features) + "]}")


MAP_CACHE_SECONDS = 600


def _map_parts(flt: IncidentFilter) -> tuple[Any, ...]:
    return (sorted(_kind_codes().items()), flt.statuses, flt.kinds, flt.districts,
            flt.severities, iso_z(flt.since), iso_z(flt.until), flt.bbox, flt.emergency,
            flt.limit)


def map_body(flt: IncidentFilter, *, relative: bool = False, packed: bool = False) -> bytes:
    """:func:`incident_collection_text` as UTF-8 (gzip-compressed when ``packed``: a tenth
    of the bytes of 10,000 incidents, what every browser asks for), kept up to date.

    Every change to an incident writes a :class:`Change` row in the same transaction: each
    process keeps the answer per filter and, at the next request, re-reads only the
    incidents the newer changes name (:mod:`misto.situation.services.mapstate`); the big
    screens, leadership devices and dispatchers loading the map share that work.
    ``relative`` filters ("the last 24 hours") depend on the clock and are rendered anew.
    """
    template = _FEATURE_SQL.get(connection.vendor)
    body = None
    if not relative and template is not None:
        body = mapstate.answer(
            repr((_map_parts(flt), connection.settings_dict["NAME"])),
            lambda: filtered_incidents(flt),
            f"COALESCE(NULLIF({_T}map_json, ''), {template.format(t=_T)})", flt.limit,
            packed=packed)
    if body is None:  # rendered whole: relative, no SQL template, or over the limit
        text = incident_collection_text(flt).encode()
        return gzip_bytes(text) if packed else text
    return body


def map_text(flt: IncidentFilter, *, relative: bool = False) -> str:
    """:func:`map_body` as text."""
    return map_body(flt, relative=relative).decode()


def map_gzip(flt: IncidentFilter, *, relative: bool = False) -> bytes:
    """:func:`map_body` gzip-compressed."""
    return map_body(flt, relative=relative, packed=True)


def _devices_json() -> str:
    return json.dumps(device_collection(), ensure_ascii=False, separators=(",", ":"))


def devices_text() -> str:
    """The devices' GeoJSON text, cached until the next change (:func:`_cached`)."""
    return str(_cached("devices", (), _devices_json))


def devices_gzip() -> bytes:
    """:func:`devices_text` gzip-compressed, cached the same way."""
    value = _cached("devices.gz", (), lambda: gzip_text(_devices_json()))
    assert isinstance(value, bytes)
    return value


#: zlib level of the map's answers: level 1 is several times faster than the default 6 and
#: keeps most of the gain on GeoJSON (its keys repeat in every feature).
MAP_GZIP_LEVEL = 1


def gzip_text(text: str) -> bytes:
    """``text`` as UTF-8 in a gzip member (no timestamp: the same text, the same bytes)."""
    return gzip_bytes(text.encode("utf-8"))


def gzip_bytes(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=MAP_GZIP_LEVEL, mtime=0)


def _cached(name: str, parts: Any, build: Any) -> str | bytes:
    # The newest change's time too: a rolled-back or pruned log may hand out an id again.
    newest = Change.objects.order_by("-pk").values_list("pk", "at").first()
    key = f"situation:{name}:" + hashlib.sha256(repr((
        newest, parts, connection.settings_dict["NAME"])).encode()).hexdigest()
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, MAP_CACHE_SECONDS)
    return value


def incident_collection(flt: IncidentFilter) -> dict[str, Any]:
    """The map's data as Python objects (the SSE stream and tests use this shape)."""
    kinds = _kind_codes()
    rows = filtered_incidents(flt).order_by("-opened_at", "-id").values_list(*MAP_FIELDS)
    features = [_feature(row, kinds) for row in rows[: flt.limit]]
    return {"type": "FeatureCollection", "features": features}


def incident_feature(incident_id: int) -> dict[str, Any] | None:
    row = Incident.objects.filter(pk=incident_id).values_list(*MAP_FIELDS).first()
    return _feature(row, _kind_codes()) if row else None


def device_feature(device: DeviceState) -> dict[str, Any]:
    return {
        "type": "Feature", "id": device.device_id,
        "geometry": None if device.lon is None or device.lat is None
        else {"type": "Point", "coordinates": [device.lon, device.lat]},
        "properties": {"device_id": device.device_id, "name": device.name,
                       "model": device.model, "state": device.state,
                       "district": device.district or None, "quantity": device.quantity,
                       "value": device.value, "alerts": device.alerts,
                       "updated_at": device.updated_at.isoformat()},
    }


def device_collection() -> dict[str, Any]:
    rows = DeviceState.objects.order_by("device_id")
    return {"type": "FeatureCollection",
            "features": [device_feature(row) for row in rows.iterator(chunk_size=2000)]}


def outage_feature(outage: Outage) -> dict[str, Any]:
    return {
        "type": "Feature", "id": outage.announcement_id, "geometry": outage.area,
        "properties": {"announcement_id": outage.announcement_id, "kind": outage.kind,
                       "emergency": outage.emergency, "title": outage.title,
                       "districts": outage.districts, "building_count": outage.building_count,
                       "starts_at": outage.starts_at.isoformat() if outage.starts_at else None,
                       "ends_at": outage.ends_at.isoformat() if outage.ends_at else None,
                       "current": outage_current(outage)},
    }


def outage_current(outage: Outage, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return outage.ends_at is None or outage.ends_at > now


def outage_collection(current_only: bool = True) -> dict[str, Any]:
    rows = Outage.objects.all()
    if current_only:
        rows = rows.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=timezone.now()))
    return {"type": "FeatureCollection", "features": [outage_feature(row) for row in rows]}


# --- The live stream -----------------------------------------------------------------------


def latest_change_id() -> int:
    return Change.objects.aggregate(top=Max("id"))["top"] or 0


def changes_after(after: int, limit: int = 200) -> list[tuple[int, str, dict[str, Any]]]:
    """What changed after the change ``after``: (change id, topic, data), oldest first.

    Several changes of one object collapse into its latest state (sent under the last id).
    """
    rows = list(Change.objects.filter(pk__gt=after).order_by("pk")
                .values_list("pk", "topic", "ref")[:limit])
    last: dict[tuple[str, str], int] = {}
    for pk, topic, ref in rows:
        last[(topic, ref)] = pk
    out: list[tuple[int, str, dict[str, Any]]] = []
    for (topic, ref), pk in sorted(last.items(), key=lambda item: item[1]):
        data: dict[str, Any] | None = None
        if topic == Change.Topic.INCIDENT:
            data = incident_feature(int(ref))
        elif topic == Change.Topic.DEVICE:
            device = DeviceState.objects.filter(device_id=ref).first()
            data = device_feature(device) if device else None
        elif topic == Change.Topic.OUTAGE:
            outage = Outage.objects.filter(announcement_id=ref).first()
            data = outage_feature(outage) if outage else None
        elif topic == Change.Topic.EMERGENCY:
            emergency = Emergency.objects.filter(pk=int(ref)).first()
            data = ({"id": emergency.pk, "title": emergency.title, "active": emergency.active}
                    if emergency else None)
        if data is not None:
            out.append((pk, str(topic), data))
    if rows and (not out or out[-1][0] != rows[-1][0]):
        out.append((rows[-1][0], "mark", {}))
    return out


def prune_changes(older_than: timedelta = timedelta(days=1)) -> int:
    deleted, _rows = Change.objects.filter(at__lt=timezone.now() - older_than).delete()
    return deleted
