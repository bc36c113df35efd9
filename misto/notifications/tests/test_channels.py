"""Channels: real SMTP on loopback, real Web Push to a local push service, the gateway log;
quiet hours, rate limits, retries, de-duplication and one-click unsubscribe."""

from __future__ import annotations

import json
import os
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.test import Client
from django.utils import timezone

from misto.notifications import channels, gateways, push, services
from misto.notifications.errors import NotificationsCode
from misto.notifications.models import Delivery, DeliveryStatus, Profile, Subscription
from misto.notifications.tests.conftest import PushService, b64, finish_fanout, outage_draft

pytestmark = pytest.mark.django_db


def publish_outage(city, staff, **extra: Any) -> int:
    announcement = services.compose(staff(), outage_draft(city, **extra))
    finish_fanout(announcement.pk)
    return announcement.pk


def test_email_goes_through_a_real_smtp_server(city, make_resident, staff,
                                               smtp_server) -> None:
    residents = [make_resident(city.points[key]) for key in city.inside[:3]]
    announcement_id = publish_outage(city, staff)
    assert channels.deliver_due() == 3
    for resident in residents:
        received = smtp_server.to(resident.email)
        assert len(received) == 1
        mail = received[0]
        assert "Відключення води" in str(mail["Subject"]) or mail["Subject"]
        link = "".join(str(mail["List-Unsubscribe"]).split()).strip("<>")
        assert "/notices/unsubscribe/" in link
        assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        text = next(part for part in mail.walk() if part.get_content_type() == "text/plain")
        body = text.get_payload(decode=True).decode()
        assert f"/notices/{announcement_id}/" in body and link in body
    assert Delivery.objects.filter(status=DeliveryStatus.SENT).count() == 3
    # Nothing is due any more: the next pass sends nothing twice.
    assert channels.deliver_due() == 0
    assert sum(len(smtp_server.to(r.email)) for r in residents) == 3


def test_one_click_unsubscribe_from_the_mail_link(city, make_resident, staff,
                                                  smtp_server) -> None:
    resident = make_resident(city.points[city.inside[0]])
    publish_outage(city, staff)
    channels.deliver_due()
    link = "".join(str(smtp_server.to(resident.email)[0]["List-Unsubscribe"]).split()).strip("<>")
    path = link.split("://", 1)[1].split("/", 1)[1]
    client = Client(enforce_csrf_checks=True)
    assert client.get(f"/{path}").status_code == 200
    assert Subscription.objects.filter(user=resident).exists()
    # RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" without a session.
    response = client.post(f"/{path}", {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not Subscription.objects.filter(user=resident, topic__code="housing").exists()
    assert client.get("/notices/unsubscribe/forged-token/").status_code == 400


def test_smtp_failure_is_retried_then_dead(city, make_resident, staff, settings) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nobody listens there
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    settings.MISTO_NOTIFY_MAX_ATTEMPTS = 3
    make_resident(city.points[city.inside[0]])
    publish_outage(city, staff)
    row = Delivery.objects.get(channel="email")
    for attempt in range(1, 4):
        Delivery.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
        assert channels.deliver(row.pk)
        row.refresh_from_db()
        assert row.attempts == attempt and row.last_error
    assert row.status == DeliveryStatus.DEAD


def test_quiet_hours_postpone_but_urgent_goes_through(city, make_resident, staff,
                                                      smtp_server) -> None:
    now = timezone.localtime()
    start = (now - timedelta(hours=1)).time().replace(second=0, microsecond=0)
    end = (now + timedelta(hours=1)).time().replace(second=0, microsecond=0)
    sleepy = make_resident(city.points[city.inside[0]], quiet_start=start, quiet_end=end)
    publish_outage(city, staff)
    assert channels.deliver_due() == 0
    row = Delivery.objects.get(message__user=sleepy)
    assert row.status == DeliveryStatus.PENDING and row.attempts == 0
    assert row.next_attempt_at > timezone.now() + timedelta(minutes=30)
    assert not smtp_server.to(sleepy.email)
    publish_outage(city, staff, emergency=True, title_uk="Аварія")
    assert channels.deliver_due() == 1
    assert len(smtp_server.to(sleepy.email)) == 1


def test_quiet_window_across_midnight() -> None:
    profile = Profile(quiet_start=time(22, 0), quiet_end=time(7, 0))
    tz = timezone.get_current_timezone()
    late = timezone.make_aware(datetime(2026, 3, 1, 23, 30), tz)
    until = channels.quiet_until(profile, late)
    assert until == timezone.make_aware(datetime(2026, 3, 2, 7, 0), tz)
    early = timezone.make_aware(datetime(2026, 3, 2, 6, 0), tz)
    assert channels.quiet_until(profile, early) == until
    assert channels.quiet_until(profile, timezone.make_aware(datetime(2026, 3, 2, 12), tz)) is None


def test_rate_limit_per_channel(city, make_resident, staff, smtp_server, settings) -> None:
    settings.MISTO_NOTIFY_RATE_EMAIL = 4
    for key in city.inside:
        make_resident(city.points[key])
    publish_outage(city, staff)
    assert channels.deliver_due() == 4
    assert channels.deliver_due() == 0  # the minute's allowance is used up
    assert len(smtp_server.messages) == 4
    Delivery.objects.filter(status="sent").update(sent_at=timezone.now() - timedelta(minutes=2))
    assert channels.deliver_due() == 4
    assert len(smtp_server.messages) == 8


def test_gateway_log_backend_and_channel_preferences(city, make_resident, staff) -> None:
    gateways.LogGateway.sent.clear()
    texting = make_resident(city.points[city.inside[0]], email="",
                            sms_enabled=True, addresses={"sms": "+380501234567",
                                                         "telegram": "123456"})
    quiet = make_resident(city.points[city.inside[1]], email="", telegram_enabled=False,
                          addresses={"telegram": "777"})
    publish_outage(city, staff)
    planned = set(Delivery.objects.values_list("message__user_id", "channel"))
    assert planned == {(texting.pk, "sms"), (texting.pk, "telegram")}
    assert (quiet.pk, "telegram") not in planned
    assert channels.deliver_due() == 2
    sent = {(channel, address) for channel, address, _text in gateways.LogGateway.sent}
    assert sent == {("sms", "+380501234567"), ("telegram", "123456")}
    text = gateways.LogGateway.sent[0][2]
    assert "/notices/unsubscribe/" in text
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


def test_bad_preferences_are_refused(city, make_resident) -> None:
    user = make_resident(None)
    with pytest.raises(services.NotificationError) as error:
        services.update_preferences(user, quiet_start=time(22, 0))
    assert error.value.code == NotificationsCode.BAD_QUIET_HOURS
    with pytest.raises(services.NotificationError) as error:
        services.update_preferences(user, addresses={"sms": "call me"})
    assert error.value.code == NotificationsCode.BAD_ADDRESS
    assert not Profile.objects.filter(user=user, quiet_start__isnull=False).exists()


def test_web_push_is_encrypted_and_signed(city, make_resident, staff, push_service,
                                          vapid) -> None:
    import http_ece

    browser_key = ec.generate_private_key(ec.SECP256R1())
    auth_secret = os.urandom(16)
    p256dh = b64(browser_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))
    resident = make_resident(city.points[city.inside[0]], email="")
    client = Client()
    client.force_login(resident)
    response = client.post("/api/notifications/push/subscriptions", {
        "endpoint": push_service, "keys": {"p256dh": p256dh, "auth": b64(auth_secret)}},
        content_type="application/json")
    assert response.status_code == 201, response.content
    publish_outage(city, staff)
    assert channels.deliver_due() == 1
    headers, body = PushService.received[0]
    assert headers["content-encoding"] == "aes128gcm"
    assert headers["authorization"].startswith("vapid t=")
    assert f"k={push.public_key()}" in headers["authorization"]
    plain = http_ece.decrypt(body, private_key=browser_key, auth_secret=auth_secret,
                             version="aes128gcm")
    payload = json.loads(plain)
    assert payload["title"] == "Відключення води"
    assert "/notices/unsubscribe/" in payload["unsubscribe"]
    assert Delivery.objects.get(channel="push").status == DeliveryStatus.SENT
