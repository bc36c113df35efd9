"""Reactions to other modules' events, delivered through the core outbox."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from misto.core import outbox
from misto.core.events import handlers_for
from misto.core.models import OutboxEvent
from misto.notifications import channels, services
from misto.notifications.models import Announcement, Delivery, Message
from misto.notifications.tests.conftest import (
    DISTRICT_A,
    DISTRICT_B,
    deliver_event,
    finish_fanout,
)

pytestmark = pytest.mark.django_db


def status_changed(author: int, followers: list[int]) -> dict[str, Any]:
    return {"report_id": 7, "public_id": "R-2026-0007", "category": "pothole",
            "category_title": "Яма на дорозі", "department": "roads", "district": DISTRICT_A,
            "lon": 35.12, "lat": 47.82, "status": "in_progress", "previous_status": "accepted",
            "note": "Бригада виїхала", "author_user_id": author,
            "follower_user_ids": followers, "changed_at": timezone.now().isoformat(),
            "url": "/reports/R-2026-0007/"}


def test_report_status_change_notifies_author_and_followers_once(
        city, make_resident, smtp_server) -> None:
    author, follower, bystander = make_resident(None), make_resident(None), make_resident(None)
    opted_out = make_resident(None, report_updates=False)
    event = deliver_event("reports.ReportStatusChanged",
                          status_changed(author.pk, [follower.pk, opted_out.pk, 10**9]))
    notified = set(Message.objects.values_list("user_id", flat=True))
    assert notified == {author.pk, follower.pk}
    assert bystander.pk not in notified
    # The same event again (at-least-once delivery): nothing doubles.
    for handler in handlers_for("reports.ReportStatusChanged"):
        if handler.app == "misto.notifications":
            handler.func(outbox.envelope(event))
    assert Message.objects.count() == 2
    assert channels.deliver_due() == 2
    mail = smtp_server.to(author.email)[0]
    text = next(p for p in mail.walk() if p.get_content_type() == "text/plain")
    body = text.get_payload(decode=True).decode()
    assert "R-2026-0007" in str(mail["Subject"]) or "R-2026-0007" in body
    assert "Бригада виїхала" in body and "/reports/R-2026-0007/" in body


def reading(**extra: Any) -> dict[str, Any]:
    payload = {"device_id": "aq-1", "device_name": "Air 1", "model": "x", "quantity": "pm2_5",
               "value": 180.0, "threshold": 75.0, "rule_id": 3, "severity": "critical",
               "public_impact": True, "district": DISTRICT_A, "lon": 35.12, "lat": 47.82,
               "feature_id": None, "observed_at": timezone.now().isoformat(), "cleared": False}
    payload.update(extra)
    return payload


def test_public_impact_alert_notifies_the_district(city, make_resident) -> None:
    near = make_resident(city.points[city.inside[0]], topics=("environment",))
    far_key = next(k for k in city.points if city.points[k][0] > 35.15)
    far = make_resident(city.points[far_key], topics=("environment",))
    not_following = make_resident(city.points[city.inside[1]], topics=("housing",))
    deliver_event("iot.ReadingOutOfRange", reading())
    announcement = Announcement.objects.get()
    assert announcement.urgent and announcement.districts == [DISTRICT_A]
    finish_fanout(announcement.pk)
    got = set(Message.objects.values_list("user_id", flat=True))
    assert got == {near.pk}
    assert far.pk not in got and not_following.pk not in got
    assert Delivery.objects.filter(message__user=near, channel="email").exists()
    assert OutboxEvent.objects.filter(name="notifications.AnnouncementPublished").exists()


@pytest.mark.parametrize("change", [
    {"public_impact": False}, {"cleared": True}, {"district": None},
    {"district": "UA00000000000000000"},
])
def test_alerts_without_public_impact_stay_quiet(city, change) -> None:
    deliver_event("iot.ReadingOutOfRange", reading(**change))
    assert not Announcement.objects.exists()


def test_same_alert_event_twice_is_one_announcement(city) -> None:
    event = deliver_event("iot.ReadingOutOfRange", reading(district=DISTRICT_B))
    for handler in handlers_for("iot.ReadingOutOfRange"):
        if handler.app == "misto.notifications":
            handler.func(outbox.envelope(event))
    assert Announcement.objects.count() == 1
    assert services.current().count() == 1
