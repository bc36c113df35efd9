"""What the transit module keeps only for a while: refused positions for 30 days, observed
arrivals and checked predictions for 400 days (a year of accuracy to publish), predictions
that never met their vehicle for 2 days, trackers' states silent for 30 days, the record of
validations counted for 2 days (a validation redelivered later is too late to count anyway:
``onboard.LATE_VALIDATION``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from misto.transit.models import (
    CountedValidation,
    DeadFix,
    PredictionSample,
    StopVisit,
    VehicleState,
)

KEEP_DEAD = timedelta(days=30)
KEEP_MEASURED = timedelta(days=400)
KEEP_UNRESOLVED = timedelta(days=2)
KEEP_SILENT = timedelta(days=30)
KEEP_VALIDATIONS = timedelta(days=2)


def prune(now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    today = timezone.localdate(now)
    return {
        "dead_fixes": DeadFix.objects.filter(received_at__lt=now - KEEP_DEAD).delete()[0],
        "visits": StopVisit.objects.filter(
            service_date__lt=today - KEEP_MEASURED).delete()[0],
        "samples": PredictionSample.objects.filter(
            service_date__lt=today - KEEP_MEASURED).delete()[0]
        + PredictionSample.objects.filter(service_date__lt=today - KEEP_UNRESOLVED,
                                          actual__isnull=True).delete()[0],
        "states": VehicleState.objects.filter(fixed_at__lt=now - KEEP_SILENT).delete()[0],
        "validations": CountedValidation.objects.filter(
            counted_at__lt=now - KEEP_VALIDATIONS).delete()[0],
    }
