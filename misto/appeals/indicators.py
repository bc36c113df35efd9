"""Indicators the e-reception computes for the City Progress Index
(``MistoModule.indicators``): appeals received, online, answered on time; counts only."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import TruncDate

from misto.appeals.models import Appeal, Channel, ReceptionKind, Status
from misto.core.registry import IndicatorFunction, Measure


def received(start: datetime, end: datetime, district: str | None) -> Measure:
    count = Appeal.objects.filter(received_on__gte=start.date(),
                                  received_on__lt=end.date()).count()
    return Measure(float(count), count)


def online_share(start: datetime, end: datetime, district: str | None) -> Measure:
    counts = Appeal.objects.filter(received_on__gte=start.date(),
                                   received_on__lt=end.date()).aggregate(
        total=Count("pk"), online=Count("pk", filter=Q(channel=Channel.WEB)))
    total = counts["total"]
    return Measure(100.0 * counts["online"] / total if total else None, total)


def _online_to(start: datetime, end: datetime, kinds: tuple[str, ...]) -> Measure:
    count = Appeal.objects.filter(received_on__gte=start.date(), received_on__lt=end.date(),
                                  channel=Channel.WEB, reception__kind__in=kinds).count()
    return Measure(float(count), count)


def online_to_mayor(start: datetime, end: datetime, district: str | None) -> Measure:
    """The strategy's KPI (5.5.2): appeals filed online to the mayor's e-reception."""
    return _online_to(start, end, (ReceptionKind.MAYOR,))


def online_to_departments(start: datetime, end: datetime, district: str | None) -> Measure:
    """The strategy's KPI (5.5.2): appeals filed online to the departments' e-receptions
    (their heads' and their staff's)."""
    return _online_to(start, end, (ReceptionKind.DEPARTMENT_HEAD, ReceptionKind.DEPARTMENT))


def answered_on_time_share(start: datetime, end: datetime, district: str | None) -> Measure:
    """% of the appeals answered in the period within their legal term (Art. 20)."""
    counts = Appeal.objects.filter(status=Status.ANSWERED, answered_at__gte=start,
                                   answered_at__lt=end).aggregate(
        total=Count("pk"), on_time=Count("pk", filter=Q(answered_at__date__lte=F("due"))))
    total = counts["total"]
    return Measure(100.0 * counts["on_time"] / total if total else None, total)


def answer_days_mean(start: datetime, end: datetime, district: str | None) -> Measure:
    """Mean days from receiving (a date) to the answer's date in the city, in SQL."""
    found = Appeal.objects.filter(status=Status.ANSWERED, answered_at__gte=start,
                                  answered_at__lt=end).aggregate(
        mean=Avg(ExpressionWrapper(TruncDate("answered_at") - F("received_on"),
                                   output_field=DurationField())), n=Count("pk"))
    mean = found["mean"]
    return Measure(mean.total_seconds() / 86400 if mean is not None else None, found["n"])


INDICATORS = (
    IndicatorFunction("appeals.received", received,
                      "Citizens' appeals received in the period, every channel."),
    IndicatorFunction("appeals.online_share", online_share,
                      "% of the period's appeals received through the e-reception."),
    IndicatorFunction("appeals.online_to_mayor", online_to_mayor,
                      "Appeals filed online to the mayor's e-reception in the period."),
    IndicatorFunction("appeals.online_to_departments", online_to_departments,
                      "Appeals filed online to the departments' e-receptions in the period."),
    IndicatorFunction("appeals.answered_on_time_share", answered_on_time_share,
                      "% of the appeals answered in the period within their legal term."),
    # Version 2: the answer's date in the city (version 1 took its UTC date).
    IndicatorFunction("appeals.answer_days_mean", answer_days_mean,
                      "Mean days from receiving to answering, over the period's answers.",
                      version=2),
)
