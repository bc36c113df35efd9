"""What the petitions module publishes (its contract; docs/events.md).

No event names a person: the author and signers are user ids for the notifications module
to address (the outbox is private), signers in the ledger only by pseudonym. The ledger
records signatures itself, in the signing transaction (``services.signing``); these events
carry the petition's public milestones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from misto.core.events import DomainEvent


@dataclass(frozen=True)
class PetitionSubmitted(DomainEvent):
    """A draft went to moderation."""

    petition_id: int
    title: str


@dataclass(frozen=True)
class PetitionRejected(DomainEvent):
    """Moderation refused it, citing a published rule; the author is told why."""

    petition_id: int
    rule: str
    author_user_id: int
    title: str


@dataclass(frozen=True)
class PetitionOpened(DomainEvent):
    ledgered: ClassVar[tuple[str, ...]] = ("petition_id", "number", "threshold",
                                           "collection_ends")

    petition_id: int
    number: str
    title: str
    district: str
    threshold: int
    collection_ends: str
    author_user_id: int
    url: str


@dataclass(frozen=True)
class PetitionThresholdReached(DomainEvent):
    """Enough signatures: the answering department's clock starts (``answer_due``). The
    author hears of it, and so do ``answerer_user_ids``: the staff who may publish the answer
    for ``department`` (``petitions.petition.answer``), pointed at ``queue_url``."""

    ledgered: ClassVar[tuple[str, ...]] = ("petition_id", "number", "count", "answer_due")

    petition_id: int
    number: str
    title: str
    count: int
    department: str
    answer_due: str
    author_user_id: int
    url: str
    answerer_user_ids: list[int] = field(default_factory=list)
    queue_url: str = ""


@dataclass(frozen=True)
class PetitionClosed(DomainEvent):
    """Collection ended below the threshold (``unsuccessful``)."""

    ledgered: ClassVar[tuple[str, ...]] = ("petition_id", "number", "count", "status")

    petition_id: int
    number: str
    count: int
    status: str
    author_user_id: int


@dataclass(frozen=True)
class PetitionAnswered(DomainEvent):
    """The official answer is published; published once per chunk of signers to notify."""

    ledgered: ClassVar[tuple[str, ...]] = ("petition_id", "number", "on_time")

    petition_id: int
    number: str
    title: str
    on_time: bool
    url: str
    author_user_id: int
    signer_user_ids: list[int] = field(default_factory=list)
    chunk: int = 0


@dataclass(frozen=True)
class PetitionOverdue(DomainEvent):
    """No answer by ``answer_due``: an incident for the situational centre."""

    petition_id: int
    number: str
    title: str
    department: str
    answer_due: str
    url: str
