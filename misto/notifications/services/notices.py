"""Personal notices from events: a few named users told about something of theirs.

Unlike announcements these have no topics and no fan-out job: a report's status change (and
the like) writes the inbox rows and plans deliveries at once, once per source key.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from misto.notifications.models import Channel, Delivery, Message, Profile
from misto.notifications.services.fanout import _plan_deliveries_chunk
from misto.residents import contact_address


def notify_users(user_ids: Iterable[int], source_key: str, data: dict[str, Any], *,
                 urgent: bool = False, only_report_followers: bool = False) -> int:
    """Inbox rows (and channel deliveries) for a few named users, once per source key."""
    User = get_user_model()
    ids = set(User.objects.filter(pk__in=[int(i) for i in user_ids if i], is_active=True)
              .values_list("pk", flat=True))
    if only_report_followers:
        ids -= set(Profile.objects.filter(user_id__in=ids, report_updates=False)
                   .values_list("user_id", flat=True))
    if not ids:
        return 0
    with transaction.atomic():
        Message.objects.bulk_create(
            [Message(user_id=pk, source_key=source_key[:80], data=data, urgent=urgent)
             for pk in sorted(ids)], ignore_conflicts=True)
        message_ids = list(Message.objects.filter(source_key=source_key[:80], user_id__in=ids)
                           .values_list("pk", flat=True))
        _plan_deliveries_chunk(None, 0, 0, message_ids=message_ids)
        _plan_contact_deliveries(message_ids)
    return len(message_ids)


def _plan_contact_deliveries(message_ids: Sequence[int]) -> int:
    """Deliveries to the address an account confirmed by a code to receive updates.

    A reporter who follows a report without an account (docs/reports.md) has an account
    with no e-mail of its own and no settings: they gave one address for exactly these
    updates, which the residents module keeps (encrypted) and hands out for sending. The
    channel's own switch still decides once the resident has settings; a phone given for
    updates switches SMS on (it is off by default for everyone else).
    """
    rows: list[Delivery] = []
    for message in (Message.objects.filter(pk__in=message_ids, user__email="")
                    .select_related("user")):
        profile = Profile.objects.filter(user_id=message.user_id).first()
        for channel in (Channel.EMAIL, Channel.SMS):
            if not contact_address(message.user, channel):
                continue
            if profile is None and channel == Channel.SMS:
                profile = Profile.objects.create(user_id=message.user_id, sms_enabled=True)
            if profile is None or getattr(profile, f"{channel}_enabled"):
                rows.append(Delivery(message=message, channel=channel))
    return len(Delivery.objects.bulk_create(rows, ignore_conflicts=True))
