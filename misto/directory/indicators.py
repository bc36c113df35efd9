"""Indicators the services directory computes for the City Progress Index
(``MistoModule.indicators``): in-person and online services, and access for everyone.
The directory keeps no opening date of a unit, so these are the state when computed."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Q, QuerySet

from misto.core.registry import IndicatorFunction, Measure
from misto.directory.models import EService, Unit


def _units(district: str | None) -> QuerySet[Unit]:
    rows = Unit.objects.filter(organisation__public=True)
    return rows.filter(district=district) if district else rows


def service_points(start: datetime, end: datetime, district: str | None) -> Measure:
    """Places where residents are served in person (units of public organisations)."""
    count = _units(district).count()
    return Measure(float(count), count)


def online_services(start: datetime, end: datetime, district: str | None) -> Measure:
    """Services a resident can get online (the city's site or Diia)."""
    total = EService.objects.count()
    count = EService.objects.filter(~Q(online_url="") | ~Q(diia_url="")).count()
    return Measure(float(count), total)


def online_services_share(start: datetime, end: datetime, district: str | None) -> Measure:
    counts = EService.objects.aggregate(total=Count("pk"), online=Count(
        "pk", filter=~Q(online_url="") | ~Q(diia_url="")))
    total = counts["total"]
    return Measure(100.0 * counts["online"] / total if total else None, total)


def step_free_share(start: datetime, end: datetime, district: str | None) -> Measure:
    """% of service points with a step-free entrance or a ramp."""
    counts = _units(district).aggregate(total=Count("pk"), free=Count(
        "pk", filter=Q(step_free=True) | Q(ramp=True)))
    total = counts["total"]
    return Measure(100.0 * counts["free"] / total if total else None, total)


INDICATORS = (
    IndicatorFunction("directory.service_points", service_points,
                      "Places where residents are served in person.", by_district=True),
    IndicatorFunction("directory.online_services", online_services,
                      "Services a resident can get online (the city's site or Diia)."),
    IndicatorFunction("directory.online_services_share", online_services_share,
                      "% of the directory's services available online."),
    IndicatorFunction("directory.step_free_share", step_free_share,
                      "% of service points with a step-free entrance or a ramp.",
                      by_district=True),
)
