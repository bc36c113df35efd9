"""Indicators the notifications module computes for the City Progress Index
(``MistoModule.indicators``): subscribers and what the city told them; counts only."""

from __future__ import annotations

from datetime import datetime

from misto.core.registry import IndicatorFunction, Measure
from misto.notifications.models import (
    Announcement,
    Kind,
    Message,
    PushSubscription,
    Status,
    Subscription,
)


def subscribers(start: datetime, end: datetime, district: str | None) -> Measure:
    """Residents subscribed to at least one topic at the period's end."""
    rows = Subscription.objects.filter(created_at__lt=end)
    if district:
        rows = rows.filter(district=district)
    count = rows.values("user_id").distinct().count()
    return Measure(float(count), count)


def announcements(start: datetime, end: datetime, district: str | None) -> Measure:
    count = Announcement.objects.filter(status=Status.PUBLISHED, published_at__gte=start,
                                        published_at__lt=end).count()
    return Measure(float(count), count)


def outages(start: datetime, end: datetime, district: str | None) -> Measure:
    count = Announcement.objects.filter(status=Status.PUBLISHED, kind=Kind.OUTAGE,
                                        published_at__gte=start, published_at__lt=end).count()
    return Measure(float(count), count)


def messages(start: datetime, end: datetime, district: str | None) -> Measure:
    count = Message.objects.filter(created_at__gte=start, created_at__lt=end).count()
    return Measure(float(count), count)


def push_devices(start: datetime, end: datetime, district: str | None) -> Measure:
    count = PushSubscription.objects.filter(created_at__lt=end).count()
    return Measure(float(count), count)


INDICATORS = (
    IndicatorFunction("notifications.subscribers", subscribers,
                      "Residents subscribed to at least one topic at the period's end.",
                      by_district=True),
    IndicatorFunction("notifications.announcements", announcements,
                      "Announcements published in the period."),
    IndicatorFunction("notifications.outages", outages,
                      "Planned and emergency outages announced in the period."),
    IndicatorFunction("notifications.messages", messages,
                      "Notices delivered to residents' inboxes in the period."),
    IndicatorFunction("notifications.push_devices", push_devices,
                      "Devices receiving Web Push notifications at the period's end."),
)
