"""Events the situation centre publishes and the ones it listens to (docs/events.md).

Consumed (incidents are built only from these, never from other modules' tables):
``reports.ReportCreated``, ``reports.ReportStatusChanged``, ``iot.ReadingOutOfRange``,
``iot.ContainerFull``, ``iot.DeviceOffline``, ``notifications.OutageAnnounced``, and
``iot.DeviceRegistryChanged`` (to count the city's devices for the dashboard).

Published:
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

from misto.core.events import DomainEvent, EventEnvelope, consumes
from misto.situation import services


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


# Inline: the live map should see a report or an alert the moment it commits; the worker
# still delivers them if the publishing process dies first.


@consumes("reports.ReportCreated", inline=True)
def on_report_created(event: EventEnvelope) -> None:
    services.ingest_report_created(event.payload)


@consumes("reports.ReportStatusChanged", inline=True)
def on_report_status_changed(event: EventEnvelope) -> None:
    services.ingest_report_status(event.payload)


@consumes("iot.ReadingOutOfRange", inline=True)
def on_reading_out_of_range(event: EventEnvelope) -> None:
    services.ingest_reading(event.payload, "iot.ReadingOutOfRange")


@consumes("iot.ContainerFull", inline=True)
def on_container_full(event: EventEnvelope) -> None:
    services.ingest_reading(event.payload, "iot.ContainerFull")


@consumes("iot.DeviceOffline", inline=True)
def on_device_offline(event: EventEnvelope) -> None:
    services.ingest_device_offline(event.payload)


@consumes("notifications.OutageAnnounced", inline=True)
def on_outage_announced(event: EventEnvelope) -> None:
    services.ingest_outage(event.payload)


@consumes("iot.DeviceRegistryChanged")
def on_device_registry_changed(event: EventEnvelope) -> None:
    services.ingest_device_registry(event.payload)
