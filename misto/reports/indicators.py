"""Indicators the reports module computes for the City Progress Index
(``MistoModule.indicators``): counts and resolution times of citizens' problem reports.

Each function reads only this module's tables, counts the reports of the period
``[start, end)`` (optionally of one district) and returns nothing personal.
Duplicates and reports hidden by a moderator are left out.
"""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet

from misto.core.registry import IndicatorFunction, Measure
from misto.reports.models import Category, Channel, Report, Status


def _reports(district: str | None) -> QuerySet[Report]:
    rows = Report.objects.filter(hidden=False).exclude(status=Status.DUPLICATE)
    return rows.filter(district=district) if district else rows


def _share(part: int, whole: int) -> Measure:
    return Measure(100.0 * part / whole if whole else None, whole)


def received(start: datetime, end: datetime, district: str | None) -> Measure:
    count = _reports(district).filter(created_at__gte=start, created_at__lt=end).count()
    return Measure(float(count), count)


def resolved(start: datetime, end: datetime, district: str | None) -> Measure:
    count = _reports(district).filter(status=Status.RESOLVED, closed_at__gte=start,
                                      closed_at__lt=end).count()
    return Measure(float(count), count)


def _durations(start: datetime, end: datetime, district: str | None) -> QuerySet[Any]:
    """The period's resolved reports with ``taken``: closing minus receiving, in SQL."""
    return (_reports(district).filter(status=Status.RESOLVED, closed_at__gte=start,
                                      closed_at__lt=end)
            .annotate(taken=ExpressionWrapper(F("closed_at") - F("created_at"),
                                              output_field=DurationField())))


def _hours_of(value: timedelta | None) -> float:
    return 0.0 if value is None else value.total_seconds() / 3600


def resolution_hours_median(start: datetime, end: datetime, district: str | None) -> Measure:
    """The median from the database's own order (only the middle rows leave it)."""
    rows = _durations(start, end, district)
    count = rows.count()
    if not count:
        return Measure(None, 0)
    middle = list(rows.order_by("taken").values_list("taken", flat=True)[
        (count - 1) // 2:count // 2 + 1])
    return Measure(statistics.fmean(_hours_of(value) for value in middle), count)


def resolution_hours_mean(start: datetime, end: datetime, district: str | None) -> Measure:
    found = _durations(start, end, district).aggregate(mean=Avg("taken"), n=Count("pk"))
    return Measure(_hours_of(found["mean"]) if found["n"] else None, found["n"])


def resolved_on_time_share(start: datetime, end: datetime, district: str | None) -> Measure:
    """% of the reports resolved in the period within their category's target time,
    counted in the database: one conditional count per distinct target (a few), so no
    report leaves it."""
    targets = sorted(set(Category.objects.values_list("sla_hours", flat=True)))
    counts = _durations(start, end, district).aggregate(total=Count("pk"), **{
        f"on_time_{hours}": Count("pk", filter=Q(category__sla_hours=hours,
                                                 taken__lte=timedelta(hours=hours)))
        for hours in targets})
    return _share(sum(counts[f"on_time_{hours}"] for hours in targets), counts["total"])


def online_share(start: datetime, end: datetime, district: str | None) -> Measure:
    """% of the period's reports received online (the web app or an Open311 app)."""
    counts = _reports(district).filter(created_at__gte=start, created_at__lt=end).aggregate(
        total=Count("pk"), online=Count("pk", filter=Q(channel__in=(Channel.WEB,
                                                                     Channel.OPEN311))))
    return _share(counts["online"], counts["total"])


def open_at_end(start: datetime, end: datetime, district: str | None) -> Measure:
    """Reports received before the period's end and not closed by then (the backlog)."""
    rows = _reports(district).filter(created_at__lt=end)
    count = rows.filter(Q(closed_at__isnull=True) | Q(closed_at__gte=end)).count()
    return Measure(float(count), rows.count())


def rejected_share(start: datetime, end: datetime, district: str | None) -> Measure:
    counts = _reports(district).filter(closed_at__gte=start, closed_at__lt=end).aggregate(
        total=Count("pk"), rejected=Count("pk", filter=Q(status=Status.REJECTED)))
    return _share(counts["rejected"], counts["total"])


def escalated_share(start: datetime, end: datetime, district: str | None) -> Measure:
    """% of the period's reports that passed their due time and were escalated."""
    counts = _reports(district).filter(created_at__gte=start, created_at__lt=end).aggregate(
        total=Count("pk"), late=Count("pk", filter=Q(escalated_at__isnull=False)
                                      | Q(closed_at__gt=F("due_at"))))
    return _share(counts["late"], counts["total"])


INDICATORS = (
    IndicatorFunction("reports.received", received,
                      "Reports received in the period (duplicates and hidden ones left out).",
                      by_district=True),
    IndicatorFunction("reports.resolved", resolved,
                      "Reports resolved in the period.", by_district=True),
    IndicatorFunction("reports.resolution_hours_median", resolution_hours_median,
                      "Median hours from receiving to resolving, over the reports resolved "
                      "in the period.", by_district=True),
    IndicatorFunction("reports.resolution_hours_mean", resolution_hours_mean,
                      "Mean hours from receiving to resolving, over the reports resolved "
                      "in the period.", by_district=True),
    IndicatorFunction("reports.resolved_on_time_share", resolved_on_time_share,
                      "% of the reports resolved in the period within their category's "
                      "target time.", by_district=True),
    IndicatorFunction("reports.online_share", online_share,
                      "% of the period's reports received online (web app, Open311 apps).",
                      by_district=True),
    IndicatorFunction("reports.open_at_end", open_at_end,
                      "Reports still open at the end of the period.", by_district=True),
    IndicatorFunction("reports.rejected_share", rejected_share,
                      "% of the reports closed in the period that were rejected."),
    IndicatorFunction("reports.escalated_share", escalated_share,
                      "% of the period's reports that ran past their due time."),
)
