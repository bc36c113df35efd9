"""Indicators the situational centre computes for the City Progress Index
(``MistoModule.indicators``): incidents and how fast the city responded (ISO 37120's
response time of emergency services is measured here from the centre's own timestamps)."""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import Coalesce, Least

from misto.core.registry import IndicatorFunction, Measure
from misto.situation.models import Emergency, Incident, IncidentKind


def _opened(start: datetime, end: datetime, district: str | None) -> QuerySet[Incident]:
    rows = Incident.objects.filter(opened_at__gte=start, opened_at__lt=end)
    return rows.filter(district=district) if district else rows


def incidents(start: datetime, end: datetime, district: str | None) -> Measure:
    count = _opened(start, end, district).count()
    return Measure(float(count), count)


def _minutes(value: timedelta) -> float:
    return value.total_seconds() / 60


def _median(rows: QuerySet[Incident], duration: str) -> Measure:
    """The median of ``duration`` from the database's own order (only the middle rows
    leave it), in minutes."""
    count = rows.count()
    if not count:
        return Measure(None, 0)
    middle = list(rows.order_by(duration).values_list(duration, flat=True)[
        (count - 1) // 2:count // 2 + 1])
    return Measure(statistics.fmean(_minutes(value) for value in middle), count)


def _responded(start: datetime, end: datetime, district: str | None) -> QuerySet[Incident]:
    """The period's incidents a crew reached (assigned or started, whichever came first),
    with ``response``: that moment minus the opening, in SQL."""
    reached = Least(Coalesce("assigned_at", "started_at"), Coalesce("started_at", "assigned_at"))
    return (_opened(start, end, district).annotate(reached=reached)
            .filter(reached__isnull=False)
            .annotate(response=ExpressionWrapper(F("reached") - F("opened_at"),
                                                 output_field=DurationField())))


def response_minutes_median(start: datetime, end: datetime, district: str | None) -> Measure:
    return _median(_responded(start, end, district), "response")


def response_on_time_share(start: datetime, end: datetime, district: str | None) -> Measure:
    """% reached within the kind's response target: one conditional count per distinct
    target (a few), so no incident leaves the database."""
    targets = sorted(set(IncidentKind.objects.values_list("response_target_minutes",
                                                          flat=True)))
    counts = _responded(start, end, district).aggregate(total=Count("pk"), **{
        f"on_time_{minutes}": Count("pk", filter=Q(
            kind__response_target_minutes=minutes, response__lte=timedelta(minutes=minutes)))
        for minutes in targets})
    total = counts["total"]
    on_time = sum(counts[f"on_time_{minutes}"] for minutes in targets)
    return Measure(100.0 * on_time / total if total else None, total)


def resolution_minutes_median(start: datetime, end: datetime, district: str | None
                              ) -> Measure:
    rows = (Incident.objects.filter(resolved_at__gte=start, resolved_at__lt=end)
            .filter(**({"district": district} if district else {}))
            .annotate(taken=ExpressionWrapper(F("resolved_at") - F("opened_at"),
                                              output_field=DurationField())))
    return _median(rows, "taken")


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
