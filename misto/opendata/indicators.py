"""Indicators the open-data portal computes for the City Progress Index
(``MistoModule.indicators``): datasets published and how much they are used."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, Sum

from misto.core.registry import IndicatorFunction, Measure
from misto.opendata.models import Dataset, Requests, State


def datasets(start: datetime, end: datetime, district: str | None) -> Measure:
    """Datasets published at the period's end (withdrawn ones count until withdrawn)."""
    count = Dataset.objects.filter(created_at__lt=end).filter(
        Q(state=State.PUBLISHED) | Q(withdrawn_at__gte=end)).count()
    return Measure(float(count), count)


def requests(start: datetime, end: datetime, district: str | None) -> Measure:
    """Requests to the open-data services (CKAN API, catalogue, downloads) in the period."""
    rows = Requests.objects.filter(day__gte=start.date(), day__lt=end.date())
    total = rows.aggregate(total=Sum("count"))["total"] or 0
    return Measure(float(total), rows.count())


def resolution_835(start: datetime, end: datetime, district: str | None) -> Measure:
    """Datasets published that fulfil an item of CMU resolution 835's list."""
    count = Dataset.objects.filter(state=State.PUBLISHED, created_at__lt=end).exclude(
        resolution_835="").count()
    return Measure(float(count), count)


INDICATORS = (
    IndicatorFunction("opendata.datasets", datasets,
                      "Open datasets published at the period's end."),
    IndicatorFunction("opendata.requests", requests,
                      "Requests to the open-data services in the period."),
    IndicatorFunction("opendata.resolution_835", resolution_835,
                      "Published datasets that fulfil an item of CMU resolution 835."),
)
