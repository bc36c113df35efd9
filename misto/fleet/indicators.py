"""Indicators the fleet computes for the City Progress Index (``MistoModule.indicators``):
the strategy's 5.3.1 KPI #2, municipal vehicles with GPS."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Q

from misto.core.registry import IndicatorFunction, Measure
from misto.fleet.models import Vehicle


def _counts(end: datetime) -> tuple[int, int]:
    """(vehicles registered by ``end``, of them with a tracker that has sent a fix)."""
    found = Vehicle.objects.filter(active=True, created_at__lt=end).aggregate(
        total=Count("pk"), gps=Count("pk", filter=Q(state__fixed_at__isnull=False)))
    return found["total"], found["gps"]


def with_gps(start: datetime, end: datetime, district: str | None) -> Measure:
    total, gps = _counts(end)
    return Measure(float(gps), total)


def gps_share(start: datetime, end: datetime, district: str | None) -> Measure:
    total, gps = _counts(end)
    return Measure(100.0 * gps / total if total else None, total)


INDICATORS = (
    IndicatorFunction("fleet.vehicles_with_gps", with_gps,
                      "Active municipal vehicles whose GPS tracker has sent a position."),
    IndicatorFunction("fleet.gps_share", gps_share,
                      "% of active municipal vehicles whose GPS tracker has sent a position."),
)
