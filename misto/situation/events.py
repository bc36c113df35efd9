"""Events the situation centre publishes (docs/events.md); what it consumes is in ``handlers.py``.

- ``situation.IncidentResolved``: ``incident_id, kind, sources (list of {module, id}),
  resolved_at, note`` (+ ``district``, ``photo_url``): reports resolves the linked reports
  and tells their authors.
- ``situation.IncidentAssigned``: ``incident_id, kind, department, crew_id, sources,
  assigned_at, district``.
- ``situation.EmergencyDeclared``: ``emergency_id, title, kind, districts, area_geojson,
  started_at, building_count, incident_count``: for the public outage map (notifications).
- ``situation.EmergencyEnded``: ``emergency_id, ended_at``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from misto.core.events import DomainEvent


@dataclass(frozen=True)
class IncidentResolved(DomainEvent):
    incident_id: int
    kind: str
    sources: list[dict[str, str]]
    resolved_at: datetime
    note: str = ""
    district: str | None = None
    photo_url: str | None = None


@dataclass(frozen=True)
class IncidentAssigned(DomainEvent):
    incident_id: int
    kind: str
    department: str
    crew_id: int | None
    sources: list[dict[str, str]]
    assigned_at: datetime
    district: str | None = None


@dataclass(frozen=True)
class EmergencyDeclared(DomainEvent):
    emergency_id: int
    title: str
    kind: str
    districts: list[str]
    area_geojson: dict[str, Any] | None
    started_at: datetime
    building_count: int = 0
    incident_count: int = 0


@dataclass(frozen=True)
class EmergencyEnded(DomainEvent):
    emergency_id: int
    ended_at: datetime
