"""What the open-data module publishes (its contract; docs/events.md). Catalogue facts only:
a dataset's new version and its withdrawal, never a row of data."""

from __future__ import annotations

from dataclasses import dataclass

from misto.core.events import DomainEvent


@dataclass(frozen=True)
class DatasetPublished(DomainEvent):
    """A regeneration changed a dataset's data: its new version is published."""

    name: str
    version: int
    rows: dict[str, int]


@dataclass(frozen=True)
class DatasetWithdrawn(DomainEvent):
    """A dataset left the catalogue (its page stays, with the reason)."""

    name: str
    reason: str
