"""Signals in: every consumed event joins an open incident or opens one.

One ``ingest_*`` per consumed event (:mod:`misto.situation.services.signals`) turns its
payload into a :class:`Signal`; :func:`attach_signal` correlates it with the open incidents
(same kind, within the kind's radius and time window, optionally the same street) or opens
a new one. Alerts that clear
resolve the incidents nobody has taken on. This is the only way incidents are made: the
situational centre is built from other modules' events.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.gis.geos import Point
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from misto import twin
from misto.situation.models import (
    ACTIVE_STATUSES,
    SEVERITY_RANK,
    Change,
    Incident,
    IncidentKind,
    IncidentSource,
    IncidentUpdate,
    Severity,
    Status,
    UpdateAction,
)
from misto.situation.services.emergencies import _emergency_for
from misto.situation.services.kinds import kind_for
from misto.situation.services.livemap import record_change
from misto.situation.services.places import Place, describe_place, street_of

METRES_PER_DEGREE = 111_320.0


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
