"""Periodic jobs of the notifications module."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from misto.core.tasks import task
from misto.notifications.models import Delivery, DeliveryStatus


@task()
def housekeeping() -> int:
    """Drop the delivery log of messages sent more than 90 days ago; returns how many."""
    cutoff = timezone.now() - timedelta(days=90)
    deleted, _rows = Delivery.objects.filter(status=DeliveryStatus.SENT,
                                             sent_at__lt=cutoff).delete()
    return deleted
