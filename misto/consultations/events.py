"""What the consultations module publishes (its contract; docs/events.md).

No event names a voter: ``BallotCast`` says which poll and key group (a district, or "" for
a poll without a district breakdown) got a ballot, nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from misto.core.events import DomainEvent


@dataclass(frozen=True)
class PollOpened(DomainEvent):
    """A poll opened (notifications tell the residents of its districts; KPI: polls held)."""

    ledgered: ClassVar[tuple[str, ...]] = ("poll_id", "closes_at", "binding")

    poll_id: int
    title_uk: str
    title_en: str
    districts: tuple[str, ...]
    closes_at: str
    binding: bool
    url: str = ""


@dataclass(frozen=True)
class PollClosed(DomainEvent):
    """A poll closed; its results are public (the counts go to the ledger too)."""

    ledgered: ClassVar[tuple[str, ...]] = ("poll_id", "ballots")

    poll_id: int
    ballots: int


@dataclass(frozen=True)
class BallotCast(DomainEvent):
    """A secret ballot was counted (KPI: participants); no voter, no choice."""

    poll_id: int
    group: str


@dataclass(frozen=True)
class ConsultationReportPublished(DomainEvent):
    """The organiser published a hearing's report of results."""

    ledgered: ClassVar[tuple[str, ...]] = ("hearing_id", "comments")

    hearing_id: int
    comments: int
    url: str = ""
