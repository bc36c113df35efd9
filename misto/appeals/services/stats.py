"""Each reception's record: received, answered, on time, overdue, average days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, Q
from django.utils import timezone

from misto.appeals.models import OPEN, Appeal, Reception, Status


@dataclass(frozen=True)
class ReceptionStats:
    reception: Reception
    received: int
    answered: int
    on_time: int
    overdue_open: int
    average_days: float | None


def reception_stats(since: date | None = None) -> list[ReceptionStats]:
    today = timezone.localdate()
    rows = Appeal.objects.all()
    if since is not None:
        rows = rows.filter(received_on__gte=since)
    counted = {row["reception"]: row for row in rows.values("reception").annotate(
        received=Count("pk"),
        answered=Count("pk", filter=Q(status=Status.ANSWERED)),
        on_time=Count("pk", filter=Q(status=Status.ANSWERED, answered_at__date__lte=F("due"))),
        overdue_open=Count("pk", filter=Q(status__in=OPEN, due__lt=today)))}
    result = []
    for reception in Reception.objects.all():
        row = counted.get(reception.pk, {})
        answered = list(rows.filter(reception=reception, status=Status.ANSWERED)
                        .values_list("received_on", "answered_at"))
        days = [(timezone.localtime(at).date() - received).days for received, at in answered]
        result.append(ReceptionStats(
            reception, row.get("received", 0), row.get("answered", 0), row.get("on_time", 0),
            row.get("overdue_open", 0), round(sum(days) / len(days), 1) if days else None))
    return result
