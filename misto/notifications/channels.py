"""Sending planned deliveries out: e-mail, Web Push, SMS/Telegram/Viber gateways.

Each pass takes due rows per channel, at most the channel's rate limit per minute minus what
it already sent in the last minute. A row is *claimed* (attempt counted, lease set) in a
short transaction, sent outside it, then marked sent, retried with back-off, or dead after
``MISTO_NOTIFY_MAX_ATTEMPTS``. A crash between send and mark re-sends after the lease
(at-least-once); the e-mail's Message-ID is stable, so mail systems can drop the copy.
Quiet hours postpone non-urgent messages to the end of the quiet window without an attempt.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from misto.notifications import conf, gateways, push, services
from misto.notifications.models import (
    Channel,
    ChannelAddress,
    Delivery,
    DeliveryStatus,
    Message,
    Profile,
    PushSubscription,
)
from misto.residents import contact_address

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)


class Undeliverable(Exception):
    """The address is gone (expired push subscription, removed phone): do not retry."""


# --- What a message says -----------------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    title: str
    body: str
    url: str
    unsubscribe_url: str
    urgent: bool


def status_label(status: str) -> str:
    labels = {
        "new": _("new"), "accepted": _("accepted"), "in_progress": _("in progress"),
        "resolved": _("resolved"), "rejected": _("rejected"), "duplicate": _("duplicate"),
    }
    return str(labels.get(status, status))


def render(message: Message, language: str | None = None) -> Rendered:
    """The message in the resident's language (titles and bodies, links, unsubscribe)."""
    base = conf.public_url()
    lang = language or "uk"
    with translation.override(lang):
        announcement = message.announcement
        if announcement is not None:
            topics = [t.code for t in announcement.topics.all()]
            token = services.unsubscribe_token(message.user_id, topics)
            body = announcement.body(lang)
            if announcement.starts_at and announcement.ends_at:
                body = _("%(body)s\n\nFrom %(start)s until %(end)s.") % {
                    "body": body,
                    "start": _local(announcement.starts_at),
                    "end": _local(announcement.ends_at),
                }
            return Rendered(announcement.title(lang), body.strip(),
                            f"{base}/notices/{announcement.pk}/",
                            f"{base}/notices/unsubscribe/{token}/", message.urgent)
        data: dict[str, Any] = message.data or {}
        token = services.unsubscribe_token(message.user_id, scope="reports")
        if data.get("kind") == "report_status":
            title = _("Your report %(id)s is now %(status)s") % {
                "id": data.get("public_id") or "", "status": status_label(str(data["status"]))}
            body = _("Category: %(category)s.") % {"category": data.get("category_title", "")}
            if data.get("note"):
                body += "\n" + _("Note from the city: %(note)s") % {"note": data["note"]}
            url = str(data.get("url") or "")
            if url.startswith("/"):
                url = base + url
        elif data.get("kind") == "civic":  # a petition's or an appeal's step
            title = str(data.get(f"title_{lang[:2]}") or data.get("title_uk") or "")
            body, url = "", str(data.get("url") or "")
            if url.startswith("/"):
                url = base + url
        else:
            title, body, url = str(data.get("title", "")), str(data.get("body", "")), ""
        return Rendered(title, body, url or f"{base}/notices/inbox/",
                        f"{base}/notices/unsubscribe/{token}/", message.urgent)


def _local(value: datetime) -> str:
    return timezone.localtime(value).strftime("%d.%m.%Y %H:%M")


# --- Quiet hours and rate limits -----------------------------------------------------------


def quiet_until(profile: Profile | None, now: datetime) -> datetime | None:
    """The end of the quiet window ``now`` falls in (local time), or None outside it."""
    if profile is None or profile.quiet_start is None or profile.quiet_end is None:
        return None
    local = timezone.localtime(now)
    start, end, clock = profile.quiet_start, profile.quiet_end, local.time()
    inside = (start <= clock < end) if start < end else (clock >= start or clock < end)
    if not inside:
        return None
    day = local.date() if clock < end else local.date() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, end), timezone.get_current_timezone())


def sent_last_minute(channel: str, now: datetime) -> int:
    return Delivery.objects.filter(channel=channel, sent_at__gt=now - timedelta(minutes=1)
                                   ).count()


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600) * random.uniform(0.8, 1.2))


# --- The pass ------------------------------------------------------------------------------


def deliver_due(now: datetime | None = None, limit: int = 200) -> int:
    """One pass over every channel; returns how many rows were handled."""
    handled = 0
    for channel in Channel.values:
        moment = now or timezone.now()
        allowance = min(limit, conf.rate_per_minute(channel) - sent_last_minute(channel, moment))
        if allowance <= 0:
            continue
        due = list(Delivery.objects.filter(
            status=DeliveryStatus.PENDING, channel=channel, next_attempt_at__lte=moment,
        ).order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:allowance])
        for delivery_id in due:
            handled += int(deliver(delivery_id, now))
    return handled


def _claim(delivery_id: int, now: datetime) -> Delivery | None:
    with transaction.atomic():
        row = (Delivery.objects.select_for_update(skip_locked=True, of=("self",))
               .select_related("message", "message__announcement", "message__user")
               .filter(pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
               .first())
        if row is None:
            return None
        message = row.message
        announcement = message.announcement
        if announcement is not None and announcement.status == "withdrawn":
            row.status = DeliveryStatus.SKIPPED
            row.save(update_fields=["status"])
            return None
        profile = Profile.objects.filter(user_id=message.user_id).first()
        if not _still_wanted(row.channel, profile):
            row.status, row.last_error = DeliveryStatus.SKIPPED, "channel switched off"
            row.save(update_fields=["status", "last_error"])
            return None
        until = None if message.urgent else quiet_until(profile, now)
        if until is not None:
            row.next_attempt_at = until
            row.save(update_fields=["next_attempt_at"])
            return None
        row.attempts += 1
        row.next_attempt_at = now + LEASE
        row.save(update_fields=["attempts", "next_attempt_at"])
        return row


def _still_wanted(channel: str, profile: Profile | None) -> bool:
    if profile is None:
        return channel != Channel.SMS
    return bool(getattr(profile, f"{channel}_enabled", True))


def deliver(delivery_id: int, now: datetime | None = None) -> bool:
    """Send one due delivery; False when it was not due (sent, taken, postponed)."""
    moment = now or timezone.now()
    row = _claim(delivery_id, moment)
    if row is None:
        return False
    try:
        ref = SENDERS[row.channel](row)
    except (push.PushGone, Undeliverable) as error:
        _mark_failed(row, f"subscription gone: {error}", final=True)
    except Exception as error:
        logger.warning("delivery %s by %s failed: %s", row.pk, row.channel, error)
        _mark_failed(row, f"{type(error).__name__}: {error}")
    else:
        Delivery.objects.filter(pk=row.pk).update(
            status=DeliveryStatus.SENT, sent_at=timezone.now(), provider_ref=ref[:200],
            last_error="")
    return True


def _mark_failed(row: Delivery, error: str, final: bool = False) -> None:
    dead = final or row.attempts >= conf.max_attempts()
    Delivery.objects.filter(pk=row.pk).update(
        status=DeliveryStatus.DEAD if dead else DeliveryStatus.PENDING,
        next_attempt_at=timezone.now() + backoff(row.attempts), last_error=error[-2000:])


def _language(message: Message) -> str:
    profile = Profile.objects.filter(user_id=message.user_id).only("language").first()
    return profile.language if profile else settings.LANGUAGE_CODE


def send_email(row: Delivery) -> str:
    message = row.message
    language = _language(message)
    rendered = render(message, language)
    host = conf.public_url().split("//", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "misto"
    message_id = f"<notice-{message.pk}@{host}>"
    headers = {
        "Message-ID": message_id,
        "List-Unsubscribe": f"<{rendered.unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    context = {"m": rendered, "language": language}
    with translation.override(language):
        text = render_to_string("notifications/email.txt", context)
        html = render_to_string("notifications/email.html", context)
    address = message.user.email or contact_address(message.user, Channel.EMAIL)
    if not address:
        raise Undeliverable("the resident has no e-mail address any more")
    mail = EmailMultiAlternatives(
        subject=("[!] " if rendered.urgent else "") + rendered.title, body=text,
        to=[address], headers=headers)
    mail.attach_alternative(html, "text/html")
    mail.send(fail_silently=False)
    return message_id


def send_push(row: Delivery) -> str:
    message = row.message
    rendered = render(message, _language(message))
    payload = {"title": rendered.title, "body": rendered.body[:300], "url": rendered.url,
               "urgent": rendered.urgent, "unsubscribe": rendered.unsubscribe_url}
    results = []
    subscriptions = list(PushSubscription.objects.filter(user_id=message.user_id))
    if not subscriptions:
        raise Undeliverable("the resident has no push subscription any more")
    errors = []
    for sub in subscriptions:
        try:
            results.append(push.send(sub.endpoint, sub.p256dh, sub.auth, payload))
        except push.PushGone:
            sub.delete()
        except Exception as error:
            errors.append(error)
    if not results:
        if errors:
            raise errors[0]
        raise Undeliverable("every push subscription has expired")
    return ",".join(results)


def send_gateway(row: Delivery) -> str:
    message = row.message
    address = (ChannelAddress.objects.filter(user_id=message.user_id, channel=row.channel)
               .values_list("address", flat=True).first()
               or contact_address(message.user, row.channel))
    if not address:
        raise Undeliverable(f"no {row.channel} address any more")
    rendered = render(message, _language(message))
    with translation.override(_language(message)):
        text = f"{rendered.title}\n{rendered.body}\n{rendered.url}\n" + _(
            "Unsubscribe: %(url)s") % {"url": rendered.unsubscribe_url}
    return gateways.gateway_for(row.channel).send(address, text[:1500])


SENDERS: dict[str, Any] = {
    Channel.EMAIL: send_email,
    Channel.PUSH: send_push,
    Channel.SMS: send_gateway,
    Channel.TELEGRAM: send_gateway,
    Channel.VIBER: send_gateway,
}
