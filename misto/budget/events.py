"""What the budget module publishes (its contract; docs/events.md).

No event names a voter: ``BallotCast`` says which round and district got a ballot, nothing
else (the strategy's KPI "votes cast"); the author of a project is a user id for the
notifications module to address (the outbox is private).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from misto.core.events import DomainEvent


@dataclass(frozen=True)
class ProjectProposed(DomainEvent):
    """A resident filed a project online (KPI: public-budget proposals filed online)."""

    project_id: int
    number: str
    round: str
    district: str


@dataclass(frozen=True)
class ProjectReviewed(DomainEvent):
    """A clerk approved the project for the ballot or rejected it, with the reason."""

    ledgered: ClassVar[tuple[str, ...]] = ("number", "round", "approved", "cost")

    project_id: int
    number: str
    round: str
    approved: bool
    cost: int
    author_user_id: int
    url: str = ""


@dataclass(frozen=True)
class RoundPhaseChanged(DomainEvent):
    """A round moved to its next phase (notifications tell the districts' residents)."""

    ledgered: ClassVar[tuple[str, ...]] = ("round", "phase")

    round: str
    phase: str
    districts: tuple[str, ...]
    url: str = ""


@dataclass(frozen=True)
class BallotCast(DomainEvent):
    """A secret ballot was counted (KPI: votes cast); no voter, no choice."""

    round: str
    district: str


@dataclass(frozen=True)
class ProjectProgressed(DomainEvent):
    """A winner's implementation moved on (its stage and the money spent, in public)."""

    ledgered: ClassVar[tuple[str, ...]] = ("number", "stage", "spent")

    project_id: int
    number: str
    stage: str
    spent: int
