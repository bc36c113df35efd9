"""Indicators the transit module computes for the City Progress Index
(``MistoModule.indicators``): the strategy's 5.3.1 KPI #1, transit units with GPS (a
vehicle in service whose tracker has sent a position; the state is as computed)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Q

from misto.core.registry import IndicatorFunction, Measure
from misto.transit.models import Vehicle


def _counts() -> tuple[int, int]:
    found = Vehicle.objects.filter(active=True).aggregate(
        total=Count("pk"), gps=Count("pk", filter=Q(state__isnull=False)))
    return found["total"], found["gps"]


def with_gps(start: datetime, end: datetime, district: str | None) -> Measure:
    total, gps = _counts()
    return Measure(float(gps), total)


def gps_share(start: datetime, end: datetime, district: str | None) -> Measure:
    total, gps = _counts()
    return Measure(100.0 * gps / total if total else None, total)


INDICATORS = (
    IndicatorFunction("transit.vehicles_with_gps", with_gps,
                      "Public-transport vehicles in service whose tracker has sent a position."),
    IndicatorFunction("transit.gps_share", gps_share,
                      "% of public-transport vehicles in service heard from by GPS."),
)
