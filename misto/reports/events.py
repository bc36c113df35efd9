"""Events the reports module publishes (docs/events.md); its reactions are in ``handlers.py``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from misto.core.events import DomainEvent


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
    # Fields copied into the public ledger (misto.ledger): public references only.
    ledgered: ClassVar[tuple[str, ...]] = ("report_id", "public_id", "previous_status", "status")
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
