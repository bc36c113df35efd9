"""What the index publishes (docs/events.md). Nothing personal: codes, periods, counts."""

from __future__ import annotations

from dataclasses import dataclass

from misto.core.events import DomainEvent


@dataclass(frozen=True)
class ValuesComputed(DomainEvent):
    """A recomputation stored new values for ``period`` (``changed`` of them moved)."""

    period: str
    computed: int
    changed: int


@dataclass(frozen=True)
class EnteredValueMissing(DomainEvent):
    """January: an entered indicator has no value for last year yet; the staff who may
    enter it are told (``user_ids``: staff accounts, not residents)."""

    indicator: str
    name_uk: str
    name_en: str
    year: int
    department: str
    user_ids: tuple[int, ...]


@dataclass(frozen=True)
class ReportGenerated(DomainEvent):
    year: int
    planned: int
    achieved: int
    missing: int
