"""Daily totals anchored in the public ledger (``wallet.DailyTotals``), once per closed day."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from misto.core import bus
from misto.core.workdays import local_day
from misto.wallet.events import DailyTotals
from misto.wallet.models import DayAnchor, Posting, Transfer, TransferKind

KEEP_TRYING_DAYS = 7


def day_totals(day: date) -> DailyTotals:
    """What moved on ``day`` (local): per kind, the money that reached the city's side."""
    start, end = local_day(day)
    postings = Posting.objects.filter(transfer__created_at__gte=start,
                                      transfer__created_at__lt=end)
    moved = {row["transfer__kind"]: int(row["s"] or 0) for row in
             postings.filter(~Q(account__kind="resident"))
             .values("transfer__kind").annotate(s=Sum("amount"))}
    return DailyTotals(
        day=day.isoformat(), topups=-moved.get(TransferKind.TOPUP, 0),
        fares=moved.get(TransferKind.FARE, 0), passes=moved.get(TransferKind.PASS, 0),
        services=moved.get(TransferKind.SERVICE, 0),
        corrections=-moved.get(TransferKind.CORRECTION, 0),
        transfers=Transfer.objects.filter(created_at__gte=start, created_at__lt=end).count(),
        imbalance=int(postings.aggregate(s=Sum("amount"))["s"] or 0))


def do_anchor_day(day: date) -> DailyTotals | None:
    """Publish ``day``'s totals once (a closed day only); ``None`` when already done."""
    if day >= timezone.localdate():
        raise ValueError("only a closed day is anchored")
    try:
        with transaction.atomic():
            DayAnchor.objects.create(day=day)
            totals = day_totals(day)
            bus.publish(totals)
    except IntegrityError:
        return None
    return totals


def anchor_closed_days() -> int:
    """Anchor each of the last days not anchored yet (the scheduler runs it hourly)."""
    today = timezone.localdate()
    done = set(DayAnchor.objects.filter(day__gte=today - timedelta(days=KEEP_TRYING_DAYS))
               .values_list("day", flat=True))
    count = 0
    for back in range(KEEP_TRYING_DAYS, 0, -1):
        day = today - timedelta(days=back)
        if day not in done and do_anchor_day(day) is not None:
            count += 1
    return count
