"""What the notifications module publishes (docs/events.md); its reactions are in ``handlers.py``.

``notifications.AnnouncementPublished`` (every announcement, when it goes out) and
``notifications.OutageAnnounced`` (outages).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from misto.core.events import DomainEvent


@dataclass(frozen=True)
class AnnouncementPublished(DomainEvent):
    announcement_id: int
    topics: list[str]
    target: dict[str, Any]
    urgent: bool
    title: str
    kind: str = "announcement"  # added field: announcement or outage


@dataclass(frozen=True)
class OutageAnnounced(DomainEvent):
    announcement_id: int
    kind: str
    emergency: bool
    starts_at: datetime | None
    ends_at: datetime | None
    districts: list[str]
    area_geojson: dict[str, Any] | None
    building_count: int
    title: str
