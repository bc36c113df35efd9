"""The situational centre's operations: plain functions that the event handlers, views, API,
tasks and commands call.

- Signals in (``ingest_*``): one per consumed event. Each turns the payload into a
  :class:`Signal` and :func:`attach_signal` correlates it with the open incidents (same kind,
  within the kind's radius and time window, optionally the same street) or opens a new one.
- Dispatch (:func:`assign`, :func:`change_status`): validate access and input, change the
  incident, write its history, publish events on commit.
- Reading (:func:`incident_collection`, :func:`dashboard`, :func:`response_figures`...).
- Emergencies (:func:`declare_emergency`, :func:`end_emergency`, affected buildings and
  shelters through the twin's public functions).

Errors are :class:`SituationError` with a stable ``code`` (see ``misto.situation.errors``).
"""

from __future__ import annotations

import hashlib
import json
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.contrib.gis.geos import GEOSGeometry, Point
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import Count, Max, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from misto import twin
from misto.core.permissions import can
from misto.core.photos import BUSY, NOT_IMAGE, CleanPhoto, PhotoError, clean_photo
from misto.situation.errors import SituationCode, SituationError, forbidden, not_found
from misto.situation.models import (
    ACTIVE_STATUSES,
    SEVERITY_RANK,
    Change,
    Crew,
    DeviceState,
    Emergency,
    Incident,
    IncidentKind,
    IncidentSource,
    IncidentUpdate,
    KindRule,
    Outage,
    RuleSource,
    Severity,
    Status,
    UpdateAction,
)

METRES_PER_DEGREE = 111_320.0
UKRAINE_BBOX = (22.0, 44.0, 40.3, 52.5)
AIR_QUANTITIES = {"pm25", "pm2_5", "pm10", "aqi", "no2", "o3", "so2", "co"}
NOISE_QUANTITIES = {"noise", "noise_db", "laeq", "lamax", "sound_level"}
PHOTO_MAX_BYTES = 10 * 1024 * 1024


# --- Permissions -------------------------------------------------------------------------


def can_view(user: Any) -> bool:
    """Dispatchers, leadership and other staff see the whole picture."""
    return can(user, "situation.incident.view")


def can_dispatch(user: Any) -> bool:
    return can(user, "situation.incident.dispatch")


def is_crew_member(user: Any, incident: Incident) -> bool:
    if not getattr(user, "is_authenticated", False) or incident.crew_id is None:
        return False
    return Crew.objects.filter(pk=incident.crew_id, members=user).exists()


def can_work_on(user: Any, incident: Incident) -> bool:
    """The assigned crew's members report progress; dispatchers may too."""
    return can_dispatch(user) or (bool(getattr(user, "is_active", False))
                                  and is_crew_member(user, incident))


def can_see_incident(user: Any, incident: Incident) -> bool:
    return can_view(user) or can_work_on(user, incident)


# --- Kinds and rules ----------------------------------------------------------------------

DEFAULT_KINDS: list[dict[str, Any]] = [
    # code, titles, department, severity, radius, window, response and resolution targets
    {"code": "water", "title_uk": "Водопостачання і каналізація", "title_en": "Water and sewer",
     "department": "water", "radius_m": 200, "window_minutes": 360,
     "response_target_minutes": 60, "resolution_target_minutes": 720, "color": "#1971c2"},
    {"code": "heating", "title_uk": "Теплопостачання", "title_en": "Heating",
     "department": "heating", "radius_m": 250, "window_minutes": 360,
     "response_target_minutes": 45, "resolution_target_minutes": 720, "color": "#e8590c"},
    {"code": "power", "title_uk": "Електропостачання й освітлення",
     "title_en": "Power and street lighting", "department": "light", "radius_m": 200,
     "window_minutes": 240, "response_target_minutes": 60,
     "resolution_target_minutes": 480, "color": "#f59f00"},
    {"code": "roads", "title_uk": "Дороги й тротуари", "title_en": "Roads and pavements",
     "department": "roads", "radius_m": 100, "window_minutes": 1440,
     "response_target_minutes": 240, "resolution_target_minutes": 4320, "color": "#5c5f66"},
    {"code": "waste", "title_uk": "Відходи й прибирання", "title_en": "Waste and cleaning",
     "department": "waste", "radius_m": 80, "window_minutes": 720,
     "response_target_minutes": 120, "resolution_target_minutes": 720, "color": "#2f9e44"},
    {"code": "trees", "title_uk": "Зелені насадження", "title_en": "Trees and greenery",
     "department": "green", "radius_m": 50, "window_minutes": 720,
     "response_target_minutes": 120, "resolution_target_minutes": 1440, "color": "#5c940d"},
    {"code": "air", "title_uk": "Якість повітря", "title_en": "Air quality",
     "department": "ecology", "radius_m": 1000, "window_minutes": 180,
     "response_target_minutes": 60, "resolution_target_minutes": 480, "color": "#7048e8"},
    {"code": "noise", "title_uk": "Шум", "title_en": "Noise", "department": "ecology",
     "radius_m": 300, "window_minutes": 120, "response_target_minutes": 60,
     "resolution_target_minutes": 240, "color": "#ae3ec9"},
    {"code": "flooding", "title_uk": "Підтоплення", "title_en": "Flooding",
     "department": "water", "radius_m": 300, "window_minutes": 240,
     "response_target_minutes": 30, "resolution_target_minutes": 480, "color": "#1098ad"},
    {"code": "device", "title_uk": "Несправність датчика", "title_en": "Device failure",
     "department": "it", "radius_m": 10, "window_minutes": 1440,
     "default_severity": Severity.INFO, "response_target_minutes": 240,
     "resolution_target_minutes": 2880, "color": "#868e96"},
    {"code": "other", "title_uk": "Інше", "title_en": "Other", "department": "",
     "radius_m": 50, "window_minutes": 120, "response_target_minutes": 240,
     "resolution_target_minutes": 4320, "color": "#c92a2a"},
]

DEFAULT_RULES: list[tuple[str, str, str]] = [
    (RuleSource.REPORT_CATEGORY, "water", "water"),
    (RuleSource.REPORT_CATEGORY, "water_leak", "water"),
    (RuleSource.REPORT_CATEGORY, "sewer", "water"),
    (RuleSource.REPORT_CATEGORY, "heating", "heating"),
    (RuleSource.REPORT_CATEGORY, "streetlight", "power"),
    (RuleSource.REPORT_CATEGORY, "lighting", "power"),
    (RuleSource.REPORT_CATEGORY, "power", "power"),
    (RuleSource.REPORT_CATEGORY, "pothole", "roads"),
    (RuleSource.REPORT_CATEGORY, "roads", "roads"),
    (RuleSource.REPORT_CATEGORY, "waste", "waste"),
    (RuleSource.REPORT_CATEGORY, "garbage", "waste"),
    (RuleSource.REPORT_CATEGORY, "noise", "noise"),
    (RuleSource.REPORT_CATEGORY, "air", "air"),
    (RuleSource.REPORT_CATEGORY, "flooding", "flooding"),
    # The reports module's demo categories (its leaves).
    (RuleSource.REPORT_CATEGORY, "water-leak", "water"),
    (RuleSource.REPORT_CATEGORY, "hydrant", "water"),
    (RuleSource.REPORT_CATEGORY, "no-heating", "heating"),
    (RuleSource.REPORT_CATEGORY, "streetlight-out", "power"),
    (RuleSource.REPORT_CATEGORY, "pole-damaged", "power"),
    (RuleSource.REPORT_CATEGORY, "manhole-open", "roads"),
    (RuleSource.REPORT_CATEGORY, "bin-full", "waste"),
    (RuleSource.REPORT_CATEGORY, "tree-fallen", "trees"),
    (RuleSource.REPORT_CATEGORY, "tree-dangerous", "trees"),
    (RuleSource.REPORT_CATEGORY, "", "other"),
    (RuleSource.IOT_QUANTITY, "water_pressure", "water"),
    (RuleSource.IOT_QUANTITY, "pressure", "water"),
    (RuleSource.IOT_QUANTITY, "water_flow", "water"),
    (RuleSource.IOT_QUANTITY, "water_level", "flooding"),
    (RuleSource.IOT_QUANTITY, "supply_temperature", "heating"),
    (RuleSource.IOT_QUANTITY, "heat_temperature", "heating"),
    (RuleSource.IOT_QUANTITY, "voltage", "power"),
    (RuleSource.IOT_QUANTITY, "current", "power"),
    (RuleSource.IOT_QUANTITY, "fill_level", "waste"),
    (RuleSource.IOT_QUANTITY, "noise", "noise"),
    (RuleSource.IOT_QUANTITY, "noise_db", "noise"),
    (RuleSource.IOT_QUANTITY, "laeq", "noise"),
    # The iot module's quantity codes (compared lower-cased).
    (RuleSource.IOT_QUANTITY, "fillinglevel", "waste"),
    (RuleSource.IOT_QUANTITY, "powerconsumption", "power"),
    (RuleSource.IOT_QUANTITY, "illuminance", "power"),
    (RuleSource.IOT_QUANTITY, "battery", "device"),
    (RuleSource.IOT_QUANTITY, "", "other"),
    *[(RuleSource.IOT_QUANTITY, q, "air") for q in sorted(AIR_QUANTITIES)],
    (RuleSource.DEVICE_OFFLINE, "", "device"),
    (RuleSource.CONTAINER_FULL, "", "waste"),
    (RuleSource.OUTAGE, "water", "water"),
    (RuleSource.OUTAGE, "heating", "heating"),
    (RuleSource.OUTAGE, "power", "power"),
    (RuleSource.OUTAGE, "", "other"),
]


def ensure_default_kinds() -> int:
    """Create the default kinds and rules that are missing (never overwrites a city's edits);
    returns how many rows were created."""
    created = 0
    kinds: dict[str, IncidentKind] = {}
    for spec in DEFAULT_KINDS:
        defaults = {key: value for key, value in spec.items() if key != "code"}
        kind, was_created = IncidentKind.objects.get_or_create(code=spec["code"],
                                                               defaults=defaults)
        kinds[kind.code] = kind
        created += was_created
    for source, value, code in DEFAULT_RULES:
        _rule, was_created = KindRule.objects.get_or_create(
            source=source, value=value, defaults={"kind": kinds[code]})
        created += was_created
    return created


def kind_for(source: str, value: str) -> IncidentKind:
    """The incident kind for a signal: the exact rule, else the source's catch-all rule,
    else the kind ``other``."""
    value = (value or "").strip().lower()
    rules = {rule.value: rule for rule in
             KindRule.objects.filter(source=source, value__in=[value, ""]).select_related("kind")}
    rule = rules.get(value) or rules.get("")
    if rule is not None:
        return rule.kind
    ensure_default_kinds()
    return IncidentKind.objects.get(code="other")


# --- Geometry helpers ----------------------------------------------------------------------


def _valid_lon_lat(lon: Any, lat: Any) -> tuple[float, float] | None:
    try:
        x, y = float(lon), float(lat)
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(x) and math.isfinite(y)) or not (-180 <= x <= 180 and -90 <= y <= 90):
        return None
    return x, y


def parse_time(value: Any, default: datetime | None = None) -> datetime:
    """An event's ISO 8601 time; never in the future (clock skew), ``now`` when missing."""
    now = timezone.now()
    when = None
    if isinstance(value, datetime):
        when = value
    elif isinstance(value, str) and value:
        try:
            when = parse_datetime(value)
        except ValueError:
            when = None
    if when is None:
        return default or now
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    return min(when, now)


@dataclass
class Place:
    district: str = ""
    district_name: str = ""
    address: str = ""
    street: str = ""
    landmark: str = ""


def describe_place(lon: float, lat: float) -> Place:
    """District, nearest address, street and landmark of a point, from the twin."""
    try:
        where = twin.locate(lon, lat, 1)
    except twin.TwinError:
        return Place()
    place = Place()
    if where.district is not None:
        place.district = where.district.katottg
        place.district_name = where.district.name
    if where.address is not None and where.address.distance_m <= 150:
        place.address = where.address.name
        place.street = street_of(where.address.name)
    if where.landmarks and where.landmarks[0].distance_m <= 50:
        place.landmark = where.landmarks[0].number or ""
    return place


def street_of(address: str) -> str:
    """The street part of "street, house" (lower-cased, for comparing)."""
    return address.rsplit(",", 1)[0].strip().lower() if address else ""


# --- Signals in ---------------------------------------------------------------------------


@dataclass
class Signal:
    """What one event says about the city, before correlation."""

    module: str
    source_id: str
    event: str
    rule_source: str
    rule_value: str
    severity: str
    observed_at: datetime
    label: str = ""
    lon: float | None = None
    lat: float | None = None
    district: str = ""
    address: str = ""
    landmark: str = ""
    department: str = ""
    payload: dict[str, Any] = field(default_factory=dict)


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
    renders those rows in SQL until their next change stores them again."""
    return Incident.objects.filter(**filters).update(map_json="")


def _max_severity(a: str, b: str) -> str:
    rank = SEVERITY_RANK
    return a if rank.get(Severity(a), 1) >= rank.get(Severity(b), 1) else b


def _severity(value: Any, default: str) -> str:
    return value if value in Severity.values else default


def _candidates(kind: IncidentKind, signal: Signal) -> list[Incident]:
    window = timedelta(minutes=kind.window_minutes)
    rows = Incident.objects.filter(
        kind=kind, status__in=ACTIVE_STATUSES,
        last_signal_at__gte=signal.observed_at - window,
        opened_at__lte=signal.observed_at + window,
    )
    if signal.lon is None or signal.lat is None:
        return []
    dlat = kind.radius_m / METRES_PER_DEGREE * 1.01
    dlon = dlat / max(math.cos(math.radians(signal.lat)), 0.01)
    rows = rows.filter(lat__range=(signal.lat - dlat, signal.lat + dlat),
                       lon__range=(signal.lon - dlon, signal.lon + dlon))
    return list(rows)


def find_incident(kind: IncidentKind, signal: Signal, street: str) -> Incident | None:
    """The open incident this signal belongs to: same kind, within the kind's radius and
    time window (and the same street when the kind asks), the nearest one."""
    best: tuple[float, Incident] | None = None
    for incident in _candidates(kind, signal):
        if incident.lon is None or incident.lat is None:
            continue
        assert signal.lon is not None and signal.lat is not None
        metres = twin.distance_m(signal.lon, signal.lat, incident.lon, incident.lat)
        if metres > kind.radius_m:
            continue
        if kind.same_street and street and incident.street and \
                street_of(incident.street) != street:
            continue
        if best is None or metres < best[0]:
            best = (metres, incident)
    return best[1] if best else None


def _source_ref(module: str, source_id: str) -> dict[str, str]:
    return {"module": module, "id": source_id}


def _title(kind: IncidentKind, signal: Signal, place: Place) -> str:
    where = signal.address or place.address or place.street or place.district_name
    what = signal.label or kind.title()
    return f"{what} — {where}"[:300] if where else what[:300]


def _emergency_for(incident: Incident) -> Emergency | None:
    for emergency in Emergency.objects.filter(ended_at__isnull=True).order_by("started_at"):
        if emergency_covers(emergency, incident):
            return emergency
    return None


def emergency_covers(emergency: Emergency, incident: Incident) -> bool:
    if emergency.area is not None:
        return incident.location is not None and emergency.area.intersects(incident.location)
    if emergency.districts:
        return incident.district in emergency.districts
    return True  # city-wide


def attach_signal(signal: Signal) -> Incident:
    """Correlate a signal with the open incidents or open a new one; returns the incident.

    The same source (a report, a device's alert) coming again refreshes its row instead of
    adding one. Runs in one transaction; the kind's row is locked so that two signals
    handled at once cannot both open an incident for the same place.
    """
    with transaction.atomic():
        kind = kind_for(signal.rule_source, signal.rule_value)
        IncidentKind.objects.select_for_update().filter(pk=kind.pk).first()
        existing = (IncidentSource.objects.select_related("incident")
                    .filter(module=signal.module, source_id=signal.source_id,
                            incident__status__in=ACTIVE_STATUSES)
                    .order_by("-pk").first())
        if existing is not None:
            _refresh_source(existing, signal)
            return existing.incident
        place = Place(district=signal.district, address=signal.address,
                      street=street_of(signal.address), landmark=signal.landmark)
        if signal.lon is not None and signal.lat is not None:
            found = describe_place(signal.lon, signal.lat)
            place = Place(
                district=signal.district or found.district,
                district_name=found.district_name,
                address=signal.address or found.address,
                street=street_of(signal.address) or found.street,
                landmark=signal.landmark or found.landmark,
            )
        incident = find_incident(kind, signal, place.street)
        if incident is None:
            incident = _open_incident(kind, signal, place)
        else:
            _add_source(incident, signal)
        return incident


def _open_incident(kind: IncidentKind, signal: Signal, place: Place) -> Incident:
    location = None
    if signal.lon is not None and signal.lat is not None:
        location = Point(signal.lon, signal.lat, srid=4326)
    incident = Incident(
        kind=kind, title=_title(kind, signal, place), status=Status.OPEN,
        severity=_severity(signal.severity, kind.default_severity),
        district=place.district, district_name=place.district_name,
        lon=signal.lon, lat=signal.lat, location=location, address=place.address,
        street=place.street, landmark=place.landmark,
        sources=[_source_ref(signal.module, signal.source_id)],
        department=signal.department or kind.department,
        opened_at=signal.observed_at, last_signal_at=signal.observed_at,
    )
    incident.emergency = _emergency_for(incident)
    incident.save()
    _source_row(incident, signal)
    IncidentUpdate.objects.create(
        incident=incident, at=signal.observed_at, action=UpdateAction.OPENED,
        status=incident.status, data=_source_ref(signal.module, signal.source_id),
    )
    record_change(Change.Topic.INCIDENT, incident.pk)
    return incident


def _source_row(incident: Incident, signal: Signal) -> IncidentSource:
    return IncidentSource.objects.create(
        incident=incident, module=signal.module, source_id=signal.source_id,
        event=signal.event, label=signal.label[:300],
        severity=_severity(signal.severity, incident.kind.default_severity),
        lon=signal.lon, lat=signal.lat, observed_at=signal.observed_at,
        last_seen_at=signal.observed_at, payload=signal.payload,
    )


def _add_source(incident: Incident, signal: Signal) -> None:
    _source_row(incident, signal)
    incident.sources = [*incident.sources, _source_ref(signal.module, signal.source_id)]
    incident.severity = _max_severity(incident.severity,
                                      _severity(signal.severity, incident.severity))
    incident.last_signal_at = max(incident.last_signal_at, signal.observed_at)
    if not incident.address and signal.address:
        incident.address = signal.address[:300]
    if not incident.landmark and signal.landmark:
        incident.landmark = signal.landmark[:40]
    incident.save()
    IncidentUpdate.objects.create(
        incident=incident, at=signal.observed_at, action=UpdateAction.SOURCE,
        status=incident.status, data=_source_ref(signal.module, signal.source_id),
    )
    record_change(Change.Topic.INCIDENT, incident.pk)


def _refresh_source(row: IncidentSource, signal: Signal) -> None:
    row.last_seen_at = max(row.last_seen_at, signal.observed_at)
    row.cleared = False
    row.severity = _max_severity(row.severity, _severity(signal.severity, row.severity))
    row.payload = signal.payload
    row.save(update_fields=["last_seen_at", "cleared", "severity", "payload"])
    incident = row.incident
    incident.last_signal_at = max(incident.last_signal_at, signal.observed_at)
    incident.severity = _max_severity(incident.severity, row.severity)
    incident.save(update_fields=["last_signal_at", "severity", "updated_at"])
    record_change(Change.Topic.INCIDENT, incident.pk)


def _str(payload: dict[str, Any], key: str) -> str:
    value = payload.get(key)
    return "" if value is None else str(value)


def _signal_place(payload: dict[str, Any]) -> tuple[float | None, float | None]:
    point = _valid_lon_lat(payload.get("lon"), payload.get("lat"))
    return (point[0], point[1]) if point else (None, None)


def ingest_report_created(payload: dict[str, Any]) -> Incident:
    """``reports.ReportCreated``: a citizen's report (web, phone 1580, Open311)."""
    lon, lat = _signal_place(payload)
    return attach_signal(Signal(
        module="reports", source_id=_str(payload, "report_id"), event="reports.ReportCreated",
        rule_source=RuleSource.REPORT_CATEGORY, rule_value=_str(payload, "category"),
        severity="", observed_at=parse_time(payload.get("created_at")),
        label=_str(payload, "category_title"), lon=lon, lat=lat,
        district=_str(payload, "district"), address=_str(payload, "address"),
        landmark=_str(payload, "landmark"), department=_str(payload, "department"),
        payload={key: payload.get(key) for key in (
            "public_id", "category", "category_title", "channel", "url", "author_user_id")},
    ))


CLOSED_REPORT_STATUSES = {"resolved", "rejected", "duplicate"}


def ingest_report_status(payload: dict[str, Any]) -> Incident | None:
    """``reports.ReportStatusChanged``: write it into the incident's history; an incident
    whose every source is a closed report is resolved with it."""
    report_id = _str(payload, "report_id")
    with transaction.atomic():
        row = (IncidentSource.objects.select_related("incident")
               .filter(module="reports", source_id=report_id).order_by("-pk").first())
        if row is None:
            return None
        status = _str(payload, "status")
        row.payload = {**row.payload, "status": status}
        row.cleared = status in CLOSED_REPORT_STATUSES
        row.save(update_fields=["payload", "cleared"])
        incident = row.incident
        IncidentUpdate.objects.create(
            incident=incident, at=parse_time(payload.get("changed_at")),
            action=UpdateAction.NOTE, status=incident.status,
            note=_str(payload, "note")[:2000],
            data={"module": "reports", "id": report_id, "report_status": status},
        )
        record_change(Change.Topic.INCIDENT, incident.pk)
        if incident.active and row.cleared and not incident.source_rows.filter(
                cleared=False).exists():
            _resolve(incident, None, _("All linked reports were closed."),
                     parse_time(payload.get("changed_at")))
        return incident


def _device_state(payload: dict[str, Any]) -> DeviceState:
    device_id = _str(payload, "device_id")
    device, _created = DeviceState.objects.select_for_update().get_or_create(
        device_id=device_id)
    lon, lat = _signal_place(payload)
    if lon is not None:
        device.lon, device.lat = lon, lat
    device.name = _str(payload, "device_name")[:200] or device.name
    device.model = _str(payload, "model")[:100] or device.model
    device.district = _str(payload, "district")[:40] or device.district
    if not device.district and device.lon is not None and device.lat is not None:
        device.district = describe_place(device.lon, device.lat).district
    return device


def ingest_reading(payload: dict[str, Any], event: str = "iot.ReadingOutOfRange"
                   ) -> Incident | None:
    """``iot.ReadingOutOfRange`` / ``iot.ContainerFull``; ``cleared`` ends the alert."""
    quantity = _str(payload, "quantity")
    device_id = _str(payload, "device_id")
    observed = parse_time(payload.get("observed_at"))
    cleared = bool(payload.get("cleared"))
    with transaction.atomic():
        device = _device_state(payload)
        alerts = dict(device.alerts or {})
        if cleared:
            alerts.pop(quantity, None)
        else:
            alerts[quantity] = payload.get("value")
        device.alerts = alerts
        if device.state != DeviceState.State.OFFLINE:
            device.state = DeviceState.State.ALERT if alerts else DeviceState.State.OK
        device.quantity = quantity[:60]
        value = payload.get("value")
        device.value = float(value) if isinstance(value, int | float) else None
        device.updated_at = observed
        device.save()
        record_change(Change.Topic.DEVICE, device.device_id)
        source_id = f"{device_id}:{quantity}"
        if cleared:
            return _clear_source("iot", source_id, observed)
        lon, lat = _signal_place(payload)
        container = event == "iot.ContainerFull"
        return attach_signal(Signal(
            module="iot", source_id=source_id, event=event,
            rule_source=RuleSource.CONTAINER_FULL if container else RuleSource.IOT_QUANTITY,
            rule_value=quantity, severity=_str(payload, "severity"), observed_at=observed,
            label=_("%(device)s: %(quantity)s %(value)s (threshold %(threshold)s)") % {
                "device": _str(payload, "device_name") or device_id, "quantity": quantity,
                "value": payload.get("value"), "threshold": payload.get("threshold")},
            lon=lon, lat=lat, district=_str(payload, "district"),
            payload={key: payload.get(key) for key in (
                "device_id", "device_name", "model", "quantity", "value", "threshold",
                "rule_id", "public_impact", "feature_id")},
        ))


def _clear_source(module: str, source_id: str, when: datetime) -> Incident | None:
    """An alert ended: mark its source; an incident nobody has taken on, whose every source
    has cleared, resolves itself."""
    row = (IncidentSource.objects.select_related("incident")
           .filter(module=module, source_id=source_id, incident__status__in=ACTIVE_STATUSES)
           .order_by("-pk").first())
    if row is None:
        return None
    row.cleared = True
    row.last_seen_at = max(row.last_seen_at, when)
    row.save(update_fields=["cleared", "last_seen_at"])
    incident = row.incident
    if incident.status == Status.OPEN and not incident.source_rows.filter(
            cleared=False).exists():
        _resolve(incident, None, _("The readings are back to normal."), when)
    else:
        record_change(Change.Topic.INCIDENT, incident.pk)
    return incident


def ingest_device_offline(payload: dict[str, Any]) -> Incident | None:
    """``iot.DeviceOffline``; ``back_online`` ends it."""
    back = bool(payload.get("back_online"))
    observed = parse_time(payload.get("last_seen") if not back else None)
    with transaction.atomic():
        device = _device_state(payload)
        if back:
            device.state = (DeviceState.State.ALERT if device.alerts
                            else DeviceState.State.OK)
        else:
            device.state = DeviceState.State.OFFLINE
        device.updated_at = timezone.now()
        device.save()
        record_change(Change.Topic.DEVICE, device.device_id)
        source_id = f"{device.device_id}:offline"
        if back:
            return _clear_source("iot", source_id, timezone.now())
        lon, lat = _signal_place(payload)
        return attach_signal(Signal(
            module="iot", source_id=source_id, event="iot.DeviceOffline",
            rule_source=RuleSource.DEVICE_OFFLINE, rule_value="", severity=Severity.INFO,
            observed_at=observed,
            label=_("Device %(name)s is offline") % {"name": device.name or device.device_id},
            lon=lon, lat=lat, district=_str(payload, "district"),
            payload={"device_id": device.device_id, "last_seen": payload.get("last_seen")},
        ))


def ingest_device_registry(payload: dict[str, Any]) -> None:
    """``iot.DeviceRegistryChanged``: count the city's devices (their place and state come
    with their alerts); an inactive or removed device leaves the picture."""
    device_id = _str(payload, "device_id")[:100]
    if not device_id:
        return
    gone = payload.get("status") == "inactive" or payload.get("action") in {"removed",
                                                                            "deleted"}
    with transaction.atomic():
        if gone:
            if DeviceState.objects.filter(device_id=device_id).delete()[0]:
                record_change(Change.Topic.DEVICE, device_id)
            return
        _device, created = DeviceState.objects.get_or_create(device_id=device_id)
        if created:
            record_change(Change.Topic.DEVICE, device_id)


def _geometry(value: Any) -> GEOSGeometry | None:
    """An announced area read by the twin's one area reader; an unreadable one is left out
    (the announcement still counts: it was checked where it was made)."""
    if not value:
        return None
    try:
        return twin.parse_area(value)
    except twin.TwinError:
        return None


def ingest_outage(payload: dict[str, Any]) -> Incident | None:
    """``notifications.OutageAnnounced``: kept for the map; an emergency outage is also an
    incident and an emergency grouping the incidents in its area."""
    announcement = _str(payload, "announcement_id")
    kind = _str(payload, "kind") or "other"
    emergency = bool(payload.get("emergency"))
    districts = [str(d) for d in payload.get("districts") or [] if d]
    area = payload.get("area_geojson")
    if isinstance(area, str):
        try:
            area = json.loads(area)
        except ValueError:
            area = None
    geometry = _geometry(area)
    with transaction.atomic():
        Outage.objects.update_or_create(announcement_id=announcement, defaults={
            "kind": kind[:20], "emergency": emergency,
            "title": _str(payload, "title")[:300],
            "starts_at": parse_time(payload.get("starts_at")) if payload.get("starts_at")
            else None,
            "ends_at": _future_time(payload.get("ends_at")),
            "districts": districts, "area": area if geometry is not None else None,
            "building_count": int(payload.get("building_count") or 0),
        })
        record_change(Change.Topic.OUTAGE, announcement)
        if not emergency:
            return None
        if not Emergency.objects.filter(announcement_id=announcement).exists():
            _create_emergency(
                title=_str(payload, "title") or _("Emergency outage"), kind=kind,
                districts=districts, area=geometry, note="", user=None,
                announcement_id=announcement, publish_it=False,
            )
        lon = lat = None
        if geometry is not None:
            centre = geometry.point_on_surface
            lon, lat = centre.x, centre.y
        return attach_signal(Signal(
            module="notifications", source_id=announcement,
            event="notifications.OutageAnnounced", rule_source=RuleSource.OUTAGE,
            rule_value=kind, severity=Severity.CRITICAL,
            observed_at=parse_time(payload.get("starts_at")),
            label=_str(payload, "title"), lon=lon, lat=lat,
            district=districts[0] if len(districts) == 1 else "",
            payload={"kind": kind, "districts": districts,
                     "building_count": payload.get("building_count")},
        ))


def _future_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        when = parse_datetime(value)
    except ValueError:
        return None
    if when is not None and timezone.is_naive(when):
        when = timezone.make_aware(when)
    return when


# --- Dispatch -----------------------------------------------------------------------------


def get_incident(incident_id: int, *, lock: bool = False) -> Incident:
    rows = Incident.objects.select_related("kind", "crew", "emergency")
    if lock:
        rows = rows.select_for_update(of=("self",))
    incident = rows.filter(pk=incident_id).first()
    if incident is None:
        raise not_found(_("There is no incident %(id)s.") % {"id": incident_id})
    return incident


def departments() -> list[str]:
    names = set(Crew.objects.values_list("department", flat=True))
    names |= set(IncidentKind.objects.exclude(department="").values_list("department",
                                                                          flat=True))
    return sorted(name for name in names if name)


def assign(incident_id: int, user: Any, *, department: str = "", crew_id: int | None = None,
           note: str = "") -> Incident:
    """Assign an incident to a department and/or a crew (dispatchers only).

    The first assignment ends the response time. A crew brings its department along.
    """
    if not can_dispatch(user):
        raise forbidden(_("Only dispatchers may assign incidents."))
    department = (department or "").strip()[:100]
    crew = None
    if crew_id is not None:
        crew = Crew.objects.filter(pk=crew_id, active=True).first()
        if crew is None:
            raise SituationError(
                SituationCode.UNKNOWN_CREW,
                _("There is no active crew %(id)s.") % {"id": crew_id})
    if crew is None and not department:
        raise SituationError(SituationCode.NOTHING_TO_ASSIGN, _("Choose a department or a crew."))
    from misto.core.bus import publish
    from misto.situation.events import IncidentAssigned

    with transaction.atomic():
        incident = get_incident(incident_id, lock=True)
        if not incident.active:
            raise SituationError(
                SituationCode.RESOLVED,
                _("The incident is already resolved."), status=409)
        now = timezone.now()
        incident.department = crew.department if crew else department
        incident.crew = crew
        if incident.status == Status.OPEN:
            incident.status = Status.ASSIGNED
        if incident.assigned_at is None:
            incident.assigned_at = now
        incident.save()
        IncidentUpdate.objects.create(
            incident=incident, at=now, action=UpdateAction.ASSIGNED, status=incident.status,
            actor=user, note=note[:2000],
            data={"department": incident.department, "crew": crew.pk if crew else None,
                  "crew_name": crew.name if crew else ""},
        )
        record_change(Change.Topic.INCIDENT, incident.pk)
        publish(IncidentAssigned(
            incident_id=incident.pk, kind=incident.kind.code, department=incident.department,
            crew_id=crew.pk if crew else None, sources=list(incident.sources),
            assigned_at=now, district=incident.district or None,
        ))
    return incident


ALLOWED_STEPS = {
    Status.OPEN: {Status.RESOLVED},
    Status.ASSIGNED: {Status.IN_PROGRESS, Status.RESOLVED},
    Status.IN_PROGRESS: {Status.RESOLVED},
}


def check_photo(photo: UploadedFile | None) -> CleanPhoto | None:
    """A crew photo through the core's one photo pipeline (as report photos): at most
    10 MB, a JPEG, PNG or WebP under the pixel cap, re-encoded without its metadata (a
    crew's GPS positions are personal). Returns what is stored, so nothing raw is."""
    if photo is None:
        return None
    try:
        return clean_photo(photo, getattr(photo, "name", "") or "", max_bytes=PHOTO_MAX_BYTES)
    except PhotoError as error:
        if error.code == NOT_IMAGE:
            raise SituationError(SituationCode.BAD_PHOTO,
                                 _("The photo is not a readable image.")) from error
        raise SituationError(SituationCode.BAD_PHOTO, error.message,
                             status=503 if error.code == BUSY else 400) from error


def _attach(update: IncidentUpdate, photo: CleanPhoto | None) -> None:
    """Put the cleaned photo on the update (saved with the update by the caller)."""
    if photo is not None:
        update.photo.save(f"photo.{photo.extension}", ContentFile(photo.content), save=False)


def change_status(incident_id: int, user: Any, status: str, *, note: str = "",
                  photo: UploadedFile | None = None) -> Incident:
    """A crew member (of the assigned crew) or a dispatcher moves the incident on:
    assigned → in progress → resolved, with a note and an optional photo. Resolving
    publishes ``situation.IncidentResolved`` so that reports can tell the reporters."""
    if status not in Status.values:
        raise SituationError(
            SituationCode.BAD_STATUS,
            _("Unknown status “%(status)s” (use one of: %(known)s).")
            % {"status": status, "known": ", ".join(Status.values)})
    clean = check_photo(photo)
    with transaction.atomic():
        incident = get_incident(incident_id, lock=True)
        if not can_work_on(user, incident):
            raise forbidden(_("Only the assigned crew or a dispatcher may update this "
                              "incident."))
        current = Status(incident.status)
        if status == current and (note or clean):
            _note(incident, user, note, clean)
            return incident
        if status not in ALLOWED_STEPS.get(current, set()):
            raise SituationError(
                SituationCode.BAD_TRANSITION,
                _("An incident that is %(current)s cannot become %(status)s.")
                % {"current": current.label, "status": Status(status).label}, status=409)
        if current == Status.OPEN and not can_dispatch(user):
            raise forbidden(_("Only a dispatcher may close an unassigned incident."))
        now = timezone.now()
        if status == Status.RESOLVED:
            _resolve(incident, user, note, now, clean)
        else:
            incident.status = status
            if incident.started_at is None:
                incident.started_at = now
            incident.save()
            update = IncidentUpdate(incident=incident, at=now, action=UpdateAction.STATUS,
                                    status=status, actor=user, note=note[:2000])
            _attach(update, clean)
            update.save()
            record_change(Change.Topic.INCIDENT, incident.pk)
    return incident


def _note(incident: Incident, user: Any, note: str, photo: CleanPhoto | None) -> None:
    update = IncidentUpdate(incident=incident, at=timezone.now(), action=UpdateAction.NOTE,
                            status=incident.status, actor=user, note=note[:2000])
    _attach(update, photo)
    update.save()
    record_change(Change.Topic.INCIDENT, incident.pk)


def _resolve(incident: Incident, user: Any, note: str, when: datetime,
             photo: CleanPhoto | None = None) -> None:
    from misto.core.bus import publish
    from misto.situation.events import IncidentResolved

    incident.status = Status.RESOLVED
    incident.resolved_at = when
    incident.save()
    update = IncidentUpdate(incident=incident, at=when, action=UpdateAction.STATUS,
                            status=Status.RESOLVED, actor=user, note=note[:2000])
    _attach(update, photo)
    update.save()
    record_change(Change.Topic.INCIDENT, incident.pk)
    publish(IncidentResolved(
        incident_id=incident.pk, kind=incident.kind.code, sources=list(incident.sources),
        resolved_at=when, note=note[:2000], district=incident.district or None,
        photo_url=f"/situation/photos/{update.pk}" if update.photo else None,
    ))


def crew_tasks(user: Any, *, include_resolved: bool = False) -> QuerySet[Incident]:
    """The incidents assigned to the crews the user belongs to, most urgent first."""
    rows = Incident.objects.filter(crew__members=user, crew__active=True)
    if not include_resolved:
        rows = rows.filter(status__in=ACTIVE_STATUSES)
    return rows.select_related("kind", "crew").order_by("-severity", "assigned_at").distinct()


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


def map_text(flt: IncidentFilter, *, relative: bool = False) -> str:
    """:func:`incident_collection_text`, cached until anything changes.

    Every change to an incident writes a :class:`Change` row in the same transaction, so
    the newest change id (one index lookup) names the current state: the big screens,
    leadership devices and dispatchers loading the map share one rendering per change.
    ``relative`` filters ("the last 24 hours") depend on the clock and are not cached.
    """
    if relative:
        return incident_collection_text(flt)
    kinds = _kind_codes()
    return _cached("map", (sorted(kinds.items()), flt.statuses, flt.kinds, flt.districts,
                           flt.severities, iso_z(flt.since), iso_z(flt.until), flt.bbox,
                           flt.emergency, flt.limit),
                   lambda: incident_collection_text(flt))


def devices_text() -> str:
    """The devices' GeoJSON text, cached like :func:`map_text`."""
    return _cached("devices", (), lambda: json.dumps(
        device_collection(), ensure_ascii=False, separators=(",", ":")))


def _cached(name: str, parts: Any, build: Any) -> str:
    # The newest change's time too: a rolled-back or pruned log may hand out an id again.
    newest = Change.objects.order_by("-pk").values_list("pk", "at").first()
    key = f"situation:{name}:" + hashlib.sha256(repr((
        newest, parts, connection.settings_dict["NAME"])).encode()).hexdigest()
    text = cache.get(key)
    if text is None:
        text = build()
        cache.set(key, text, MAP_CACHE_SECONDS)
    return str(text)


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


# --- Figures ------------------------------------------------------------------------------


@dataclass
class TimeFigures:
    """Response (opened → assigned) and resolution (opened → resolved) times, in minutes."""

    code: str
    title: str
    opened: int = 0
    assigned: int = 0
    resolved: int = 0
    response_median: float | None = None
    response_mean: float | None = None
    response_within: float | None = None  # percent of assigned incidents within target
    response_target: int | None = None
    resolution_median: float | None = None
    resolution_mean: float | None = None
    resolution_within: float | None = None
    resolution_target: int | None = None


def _minutes(delta: timedelta) -> float:
    return delta.total_seconds() / 60.0


def _figures(code: str, title: str, rows: list[tuple[Any, ...]],
             kinds: dict[int, IncidentKind], one_kind: IncidentKind | None) -> TimeFigures:
    result = TimeFigures(code, title, opened=len(rows))
    response = []
    response_ok = 0
    resolution = []
    resolution_ok = 0
    for kind_id, opened, assigned, resolved in rows:
        kind = kinds[kind_id]
        if assigned is not None:
            minutes = max(0.0, _minutes(assigned - opened))
            response.append(minutes)
            response_ok += minutes <= kind.response_target_minutes
        if resolved is not None:
            minutes = max(0.0, _minutes(resolved - opened))
            resolution.append(minutes)
            resolution_ok += minutes <= kind.resolution_target_minutes
    result.assigned = len(response)
    result.resolved = len(resolution)
    if response:
        result.response_median = round(statistics.median(response), 1)
        result.response_mean = round(statistics.fmean(response), 1)
        result.response_within = round(100.0 * response_ok / len(response), 1)
    if resolution:
        result.resolution_median = round(statistics.median(resolution), 1)
        result.resolution_mean = round(statistics.fmean(resolution), 1)
        result.resolution_within = round(100.0 * resolution_ok / len(resolution), 1)
    if one_kind is not None:
        result.response_target = one_kind.response_target_minutes
        result.resolution_target = one_kind.resolution_target_minutes
    return result


def response_figures(since: datetime, until: datetime | None = None) -> list[TimeFigures]:
    """Per kind, then for all kinds (code ``all``): figures for incidents opened in
    [since, until). Within-target counts use each incident's own kind's target."""
    kinds = {kind.pk: kind for kind in IncidentKind.objects.all()}
    rows = Incident.objects.filter(opened_at__gte=since)
    if until is not None:
        rows = rows.filter(opened_at__lt=until)
    data = list(rows.values_list("kind_id", "opened_at", "assigned_at", "resolved_at"))
    by_kind: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in data:
        by_kind[row[0]].append(row)
    out = [_figures(kinds[kind_id].code, kinds[kind_id].title(), rows_, kinds, kinds[kind_id])
           for kind_id, rows_ in sorted(by_kind.items(), key=lambda i: kinds[i[0]].code)]
    out.append(_figures("all", _("All kinds"), data, kinds, None))
    return out


@dataclass
class Bar:
    label: str
    value: int
    key: str = ""
    color: str = "#0b5cad"


@dataclass
class Dashboard:
    now: datetime
    open_total: int
    by_kind: list[Bar]
    by_district: list[Bar]
    by_severity: dict[str, int]
    figures: list[TimeFigures]
    devices_total: int
    devices_online: int
    devices_alerting: int
    reports_today: int
    environment: list[dict[str, Any]]
    trend_opened: list[Bar]
    trend_resolved: list[Bar]
    emergencies: list[Emergency]
    outages_current: int


def local_midnight(now: datetime | None = None) -> datetime:
    now = timezone.localtime(now or timezone.now())
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def dashboard(period_days: int = 30, trend_days: int = 14) -> Dashboard:
    """Everything the dashboard and the big screen show, from the situation's own tables."""
    now = timezone.now()
    kinds = {kind.pk: kind for kind in IncidentKind.objects.all()}
    active = Incident.objects.filter(status__in=ACTIVE_STATUSES)
    by_kind = [Bar(kinds[row["kind_id"]].title(), row["n"], kinds[row["kind_id"]].code,
                   kinds[row["kind_id"]].color)
               for row in active.values("kind_id").annotate(n=Count("id")).order_by("-n")]
    by_district = [Bar(row["district_name"] or _("Outside districts"), row["n"],
                       row["district"])
                   for row in active.values("district", "district_name")
                   .annotate(n=Count("id")).order_by("-n", "district_name")]
    severity = Counter(dict(active.values_list("severity").annotate(n=Count("id"))))
    devices = Counter(dict(DeviceState.objects.values_list("state").annotate(n=Count("id"))))
    today = local_midnight(now)
    reports_today = (IncidentSource.objects
                     .filter(module="reports", event="reports.ReportCreated",
                             observed_at__gte=today)
                     .values("source_id").distinct().count())
    trend_start = local_midnight(now) - timedelta(days=trend_days - 1)
    opened_days: Counter[str] = Counter()
    for when in Incident.objects.filter(opened_at__gte=trend_start).values_list(
            "opened_at", flat=True):
        opened_days[timezone.localtime(when).date().isoformat()] += 1
    resolved_days: Counter[str] = Counter()
    for resolved in Incident.objects.filter(resolved_at__gte=trend_start).values_list(
            "resolved_at", flat=True):
        if resolved is not None:
            resolved_days[timezone.localtime(resolved).date().isoformat()] += 1
    days = [(trend_start + timedelta(days=i)).date() for i in range(trend_days)]
    return Dashboard(
        now=now, open_total=sum(bar.value for bar in by_kind), by_kind=by_kind,
        by_district=by_district,
        by_severity={level: severity.get(level, 0) for level in Severity.values},
        figures=response_figures(now - timedelta(days=period_days)),
        devices_total=sum(devices.values()),
        devices_online=sum(devices.values()) - devices.get(DeviceState.State.OFFLINE, 0),
        devices_alerting=devices.get(DeviceState.State.ALERT, 0),
        reports_today=reports_today, environment=environment_by_district(),
        trend_opened=[Bar(day.strftime("%d.%m"), opened_days[day.isoformat()], day.isoformat())
                      for day in days],
        trend_resolved=[Bar(day.strftime("%d.%m"), resolved_days[day.isoformat()],
                            day.isoformat()) for day in days],
        emergencies=list(Emergency.objects.filter(ended_at__isnull=True)),
        outages_current=Outage.objects.filter(
            Q(ends_at__isnull=True) | Q(ends_at__gt=now)).count(),
    )


def environment_by_district() -> list[dict[str, Any]]:
    """Air-quality and noise sensors per district: how many, how many over a threshold now,
    and the highest value over it (what the iot events told us)."""
    table: dict[str, dict[str, Any]] = {}
    for device in DeviceState.objects.exclude(quantity="").only(
            "district", "quantity", "alerts", "state"):
        quantities = {device.quantity.lower(), *(q.lower() for q in device.alerts or {})}
        group = ("air" if quantities & AIR_QUANTITIES else
                 "noise" if quantities & NOISE_QUANTITIES else None)
        if group is None:
            continue
        row = table.setdefault(device.district or "", {
            "district": device.district, "air": 0, "air_alerts": 0, "air_max": None,
            "noise": 0, "noise_alerts": 0, "noise_max": None})
        row[group] += 1
        values = [v for q, v in (device.alerts or {}).items()
                  if isinstance(v, int | float) and q.lower() in
                  (AIR_QUANTITIES if group == "air" else NOISE_QUANTITIES)]
        if values:
            row[f"{group}_alerts"] += 1
            current = row[f"{group}_max"]
            row[f"{group}_max"] = max(values) if current is None else max(current, *values)
    names = _district_names()
    for row in table.values():
        row["name"] = names.get(row["district"] or "", row["district"] or _("Outside districts"))
    return sorted(table.values(), key=lambda r: r["name"])


def city_bounds() -> list[float] | None:
    """[west, south, east, north] of the city's districts (the twin's), or None."""
    extent = twin.districts_extent()
    return list(extent) if extent is not None else None


def _district_names() -> dict[str, str]:
    return {d.katottg: d.name for d in twin.districts()}


# --- Emergencies ---------------------------------------------------------------------------


def parse_area(value: Any) -> GEOSGeometry:
    """A GeoJSON Polygon/MultiPolygon (dict or text) in lon/lat inside Ukraine, checked by
    the twin's one area reader."""
    try:
        return twin.parse_area(value, within=UKRAINE_BBOX)
    except twin.TwinError as error:
        raise SituationError(SituationCode.BAD_AREA, error.message) from error


def declare_emergency(user: Any, *, title: str, kind: str = "other",
                      districts: Iterable[str] = (), area: Any = None,
                      note: str = "") -> Emergency:
    """Declare a district or city-wide emergency (dispatchers only): group the open
    incidents it covers and publish ``situation.EmergencyDeclared`` for the public outage
    map. No districts and no area means city-wide."""
    if not can(user, "situation.emergency.declare"):
        raise forbidden(_("Only dispatchers may declare an emergency."))
    title = (title or "").strip()
    if not title:
        raise SituationError(SituationCode.INVALID, _("Give the emergency a title."))
    codes = [code.strip() for code in districts if code and code.strip()]
    if codes:
        known = set(_district_names())
        unknown = [code for code in codes if code not in known]
        if unknown:
            raise SituationError(
                SituationCode.BAD_AREA,
                _("Unknown district “%(code)s”.") % {"code": unknown[0]})
    geometry = parse_area(area) if area not in (None, "", {}) else None
    kind = (kind or "other").strip()[:20]
    return _create_emergency(title=title[:300], kind=kind, districts=codes, area=geometry,
                             note=note, user=user, announcement_id="", publish_it=True)


def _create_emergency(*, title: str, kind: str, districts: list[str],
                      area: GEOSGeometry | None, note: str, user: Any,
                      announcement_id: str, publish_it: bool) -> Emergency:
    from misto.core.bus import publish
    from misto.situation.events import EmergencyDeclared

    with transaction.atomic():
        emergency = Emergency.objects.create(
            title=title, kind=kind, districts=districts, area=area, note=note,
            declared_by=user if getattr(user, "is_authenticated", False) else None,
            announcement_id=announcement_id,
        )
        grouped = 0
        for incident in Incident.objects.filter(status__in=ACTIVE_STATUSES,
                                                emergency__isnull=True):
            if emergency_covers(emergency, incident):
                incident.emergency = emergency
                incident.save(update_fields=["emergency", "updated_at"])
                IncidentUpdate.objects.create(
                    incident=incident, action=UpdateAction.EMERGENCY, status=incident.status,
                    actor=emergency.declared_by, data={"emergency": emergency.pk})
                record_change(Change.Topic.INCIDENT, incident.pk)
                grouped += 1
        record_change(Change.Topic.EMERGENCY, emergency.pk)
        if publish_it:
            shape = emergency_area(emergency)
            publish(EmergencyDeclared(
                emergency_id=emergency.pk, title=emergency.title, kind=emergency.kind,
                districts=list(districts),
                area_geojson=json.loads(shape.geojson) if shape is not None else None,
                started_at=emergency.started_at,
                building_count=affected_buildings(emergency, 0)[0],
                incident_count=grouped,
            ))
    return emergency


def end_emergency(emergency_id: int, user: Any, note: str = "") -> Emergency:
    from misto.core.bus import publish
    from misto.situation.events import EmergencyEnded

    if not can(user, "situation.emergency.end"):
        raise forbidden(_("Only dispatchers may end an emergency."))
    with transaction.atomic():
        emergency = Emergency.objects.select_for_update().filter(pk=emergency_id).first()
        if emergency is None:
            raise not_found(_("There is no emergency %(id)s.") % {"id": emergency_id})
        if emergency.ended_at is not None:
            raise SituationError(
                SituationCode.RESOLVED,
                _("The emergency has already ended."), status=409)
        emergency.ended_at = timezone.now()
        if note:
            emergency.note = f"{emergency.note}\n{note}".strip()
        emergency.save()
        record_change(Change.Topic.EMERGENCY, emergency.pk)
        if not emergency.announcement_id:
            publish(EmergencyEnded(emergency_id=emergency.pk, ended_at=emergency.ended_at))
    return emergency


def emergency_area(emergency: Emergency) -> GEOSGeometry | None:
    """The emergency's area: its own polygon, else the union of its districts' shapes
    (from the twin), else None (city-wide)."""
    if emergency.area is not None:
        return emergency.area
    if not emergency.districts:
        return None
    return twin.districts_union(emergency.districts)


def affected_buildings(emergency: Emergency, limit: int = 200) -> tuple[int, list[dict[str, Any]]]:
    """How many of the twin's buildings lie in the emergency's area, and the first
    ``limit`` of them (none when city-wide without a shape)."""
    shape = emergency_area(emergency)
    if shape is None:
        return 0, []
    rows = twin.features_within(shape, "buildings")
    sample = []
    for feature in rows.order_by("pk")[:limit]:
        point = feature.geometry.point_on_surface
        sample.append({"id": feature.pk, "name": feature.name, "lon": point.x, "lat": point.y,
                       "geometry": json.loads(feature.geometry.geojson)})
    return rows.count(), sample


def nearby_shelters(emergency: Emergency, n: int = 8) -> list[dict[str, Any]]:
    """Shelters inside the area, then the nearest ones around it, nearest first."""
    shape = emergency_area(emergency)
    found: dict[int, dict[str, Any]] = {}
    if shape is not None:
        centre = shape.point_on_surface
        for item in twin.nearest(centre.x, centre.y, n, layer="shelters", landmarks=False,
                                 max_distance_m=10_000):
            found[item.feature_id] = {"id": item.feature_id, "name": item.name,
                                      "lon": item.lon, "lat": item.lat,
                                      "distance_m": round(item.distance_m)}
        for feature in twin.features_within(shape, "shelters")[:50]:
            point = feature.geometry.point_on_surface
            found.setdefault(feature.pk, {"id": feature.pk, "name": feature.name,
                                          "lon": point.x, "lat": point.y, "distance_m": 0})
            found[feature.pk]["capacity"] = feature.properties.get("capacity")
            found[feature.pk]["inside"] = True
    return sorted(found.values(), key=lambda item: item["distance_m"])[: max(n, 1) * 2]
