"""Events the reports module publishes (docs/events.md) and the ones it consumes."""

from __future__ import annotations

from dataclasses import dataclass, field

from misto.core.events import DomainEvent, EventEnvelope, consumes


@dataclass(frozen=True)
class ReportCreated(DomainEvent):
    report_id: int
    public_id: str
    category: str
    category_title: str
    department: str | None
    district: str | None
    lon: float
    lat: float
    landmark: str
    address: str
    author_user_id: int | None
    channel: str
    created_at: str
    url: str


@dataclass(frozen=True)
class ReportStatusChanged(DomainEvent):
    report_id: int
    public_id: str
    category: str
    category_title: str
    department: str | None
    district: str | None
    lon: float
    lat: float
    status: str
    previous_status: str
    note: str
    author_user_id: int | None
    follower_user_ids: list[int] = field(default_factory=list)
    changed_at: str = ""
    url: str = ""


@dataclass(frozen=True)
class ReportOverdue(DomainEvent):
    """A report passed its category's target time (an addition to docs/events.md)."""

    report_id: int
    public_id: str
    category: str
    department: str | None
    district: str | None
    status: str
    due_at: str
    url: str


@consumes("situation.IncidentResolved")
def resolve_linked_reports(event: EventEnvelope) -> None:
    """The situational centre closed an incident: resolve the reports it came from."""
    from misto.reports import services

    sources = event.payload.get("sources") or []
    ids = [source.get("id") for source in sources
           if isinstance(source, dict) and source.get("module") == "reports"]
    services.resolve_from_incident(ids, str(event.payload.get("note") or ""))
