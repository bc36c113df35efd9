"""What the directory publishes (its contract; docs/events.md).

No event carries who sent a correction or its text: the department is told that a correction
waits, by its id and the unit's code.
"""

from __future__ import annotations

from dataclasses import dataclass

from misto.core.events import DomainEvent


@dataclass(frozen=True)
class EntryChanged(DomainEvent):
    """A unit's hours, closures, contacts, photos or place changed (caches and open data
    refresh); ``what`` says which."""

    unit: str
    department: str
    what: str


@dataclass(frozen=True)
class CorrectionSent(DomainEvent):
    """A resident said an entry is wrong: for the maintaining department's queue."""

    correction_id: int
    unit: str
    department: str
    url: str
