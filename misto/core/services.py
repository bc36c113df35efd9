"""Core operations that views, the API and commands share."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from misto.core.models import DeliveryStatus, EventDelivery


@dataclass(frozen=True)
class DeliverySummary:
    pending: int
    delivered: int
    dead: int


def delivery_summary() -> DeliverySummary:
    counts = dict(
        EventDelivery.objects.values_list("status").annotate(n=Count("pk")).order_by()
    )
    return DeliverySummary(
        pending=counts.get(DeliveryStatus.PENDING, 0),
        delivered=counts.get(DeliveryStatus.DELIVERED, 0),
        dead=counts.get(DeliveryStatus.DEAD, 0),
    )


def dead_letters(handler: str | None = None) -> QuerySet[EventDelivery]:
    rows = EventDelivery.objects.filter(status=DeliveryStatus.DEAD).select_related("event")
    if handler:
        rows = rows.filter(handler=handler)
    return rows.order_by("-pk")
