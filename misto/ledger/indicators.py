"""Indicators the ledger computes for the City Progress Index (``MistoModule.indicators``):
how much of the city's public record is tamper-evident."""

from __future__ import annotations

from datetime import datetime

from misto.core.registry import IndicatorFunction, Measure
from misto.ledger.models import LedgerEntry, SignedTreeHead


def entries(start: datetime, end: datetime, district: str | None) -> Measure:
    count = LedgerEntry.objects.filter(created_at__gte=start, created_at__lt=end).count()
    return Measure(float(count), count)


def signed_heads(start: datetime, end: datetime, district: str | None) -> Measure:
    count = SignedTreeHead.objects.filter(timestamp__gte=int(start.timestamp() * 1000),
                                          timestamp__lt=int(end.timestamp() * 1000)).count()
    return Measure(float(count), count)


def entries_total(start: datetime, end: datetime, district: str | None) -> Measure:
    count = LedgerEntry.objects.filter(created_at__lt=end).count()
    return Measure(float(count), count)


INDICATORS = (
    IndicatorFunction("ledger.entries", entries,
                      "Entries appended to the public ledger in the period."),
    IndicatorFunction("ledger.entries_total", entries_total,
                      "Entries in the public ledger at the period's end."),
    IndicatorFunction("ledger.signed_heads", signed_heads,
                      "Signed tree heads issued in the period."),
)
