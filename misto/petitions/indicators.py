"""Indicators the e-petitions compute for the City Progress Index
(``MistoModule.indicators``): participation and the city's answers; counts only."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, F, Q

from misto.core.registry import IndicatorFunction, Measure
from misto.petitions.models import Petition, Signature


def opened(start: datetime, end: datetime, district: str | None) -> Measure:
    rows = Petition.objects.filter(opened_at__gte=start, opened_at__lt=end)
    count = (rows.filter(district=district) if district else rows).count()
    return Measure(float(count), count)


def signatures(start: datetime, end: datetime, district: str | None) -> Measure:
    """Signatures given in the period and not withdrawn or annulled."""
    count = Signature.objects.filter(signed_at__gte=start, signed_at__lt=end,
                                     withdrawn_at__isnull=True,
                                     annulment__isnull=True).count()
    return Measure(float(count), count)


def successful(start: datetime, end: datetime, district: str | None) -> Measure:
    rows = Petition.objects.filter(threshold_reached_on__gte=start.date(),
                                   threshold_reached_on__lt=end.date())
    count = rows.count()
    return Measure(float(count), count)


def answered_on_time_share(start: datetime, end: datetime, district: str | None) -> Measure:
    """% of the petitions answered in the period by their answer's due date."""
    counts = Petition.objects.filter(answered_at__gte=start, answered_at__lt=end).aggregate(
        total=Count("pk"), on_time=Count("pk", filter=Q(answered_at__date__lte=F("answer_due"))))
    total = counts["total"]
    return Measure(100.0 * counts["on_time"] / total if total else None, total)


INDICATORS = (
    IndicatorFunction("petitions.opened", opened,
                      "Petitions opened for signatures in the period.", by_district=True),
    IndicatorFunction("petitions.signatures", signatures,
                      "Valid signatures given to petitions in the period."),
    IndicatorFunction("petitions.successful", successful,
                      "Petitions that reached their threshold in the period."),
    IndicatorFunction("petitions.answered_on_time_share", answered_on_time_share,
                      "% of the petitions answered in the period by their due date."),
)
