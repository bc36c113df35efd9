"""Indicators the situational centre computes for the City Progress Index
(``MistoModule.indicators``): incidents and how fast the city responded (ISO 37120's
response time of emergency services is measured here from the centre's own timestamps)."""

from __future__ import annotations

import statistics
from datetime import datetime

from django.db.models import QuerySet

from misto.core.registry import IndicatorFunction, Measure
from misto.situation.models import Emergency, Incident


def _opened(start: datetime, end: datetime, district: str | None) -> QuerySet[Incident]:
    rows = Incident.objects.filter(opened_at__gte=start, opened_at__lt=end)
    return rows.filter(district=district) if district else rows


def incidents(start: datetime, end: datetime, district: str | None) -> Measure:
    count = _opened(start, end, district).count()
    return Measure(float(count), count)


def _response_minutes(start: datetime, end: datetime, district: str | None
                      ) -> list[tuple[float, int]]:
    """(minutes from opening to a crew assigned or work started, the kind's target)."""
    rows = _opened(start, end, district).values_list(
        "opened_at", "assigned_at", "started_at", "kind__response_target_minutes")
    found = []
    for opened, assigned, started, target in rows:
        reached = min((t for t in (assigned, started) if t is not None), default=None)
        if reached is not None:
            found.append(((reached - opened).total_seconds() / 60, target))
    return found


def response_minutes_median(start: datetime, end: datetime, district: str | None) -> Measure:
    minutes = [m for m, _t in _response_minutes(start, end, district)]
    return Measure(statistics.median(minutes) if minutes else None, len(minutes))


def response_on_time_share(start: datetime, end: datetime, district: str | None) -> Measure:
    rows = _response_minutes(start, end, district)
    on_time = sum(1 for minutes, target in rows if minutes <= target)
    return Measure(100.0 * on_time / len(rows) if rows else None, len(rows))


def resolution_minutes_median(start: datetime, end: datetime, district: str | None
                              ) -> Measure:
    pairs = (Incident.objects.filter(resolved_at__gte=start, resolved_at__lt=end)
             .filter(**({"district": district} if district else {}))
             .values_list("opened_at", "resolved_at"))
    minutes = [(resolved - opened).total_seconds() / 60 for opened, resolved in pairs
               if resolved is not None]
    return Measure(statistics.median(minutes) if minutes else None, len(minutes))


def emergencies(start: datetime, end: datetime, district: str | None) -> Measure:
    count = Emergency.objects.filter(started_at__gte=start, started_at__lt=end).count()
    return Measure(float(count), count)


INDICATORS = (
    IndicatorFunction("situation.incidents", incidents,
                      "Incidents opened in the situational centre in the period.",
                      by_district=True),
    IndicatorFunction("situation.response_minutes_median", response_minutes_median,
                      "Median minutes from an incident's opening to a crew assigned or "
                      "work started.", by_district=True),
    IndicatorFunction("situation.response_on_time_share", response_on_time_share,
                      "% of the period's incidents responded to within their kind's "
                      "response target.", by_district=True),
    IndicatorFunction("situation.resolution_minutes_median", resolution_minutes_median,
                      "Median minutes from opening to resolving, over incidents resolved "
                      "in the period.", by_district=True),
    IndicatorFunction("situation.emergencies", emergencies,
                      "Emergencies declared in the period."),
)
