"""Access: fetch an object and check the user may act on it, in one call per object.

Zulip's ``access_stream_by_id`` in Misto's shape: whether the object is missing or only not
visible to this user, the answer is the same ``not_found`` (404) with the same message, so no
caller can learn that a draft or another resident's subscription exists. A step the user's
roles never allow (approving without the approver's role) is refused before anything is read,
so its 403 says nothing about the object either.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from misto.core.permissions import can
from misto.notifications.errors import NotificationError, NotificationsCode
from misto.notifications.models import Announcement, Status, Subscription

# The staff verb of each step on an announcement, and the refusal of a user without it.
STEPS = {"create": gettext_lazy("Only staff may compose announcements."),
         "approve": gettext_lazy("Only staff may approve announcements."),
         "change": gettext_lazy("Only staff may withdraw announcements.")}


def may(user: Any, verb: str) -> bool:
    """Staff work on announcements: a role that may ``notifications.announcement.<verb>``
    (see misto/notifications/permissions.py)."""
    return can(user, f"notifications.announcement.{verb}")


def check_may(user: Any, verb: str) -> None:
    """Refuse (403) a staff step the user's roles do not allow, before reading anything."""
    if not may(user, verb):
        raise NotificationError(NotificationsCode.FORBIDDEN, str(STEPS[verb]))


def access_announcement(user: Any, announcement_id: int, action: str = "view", *,
                        for_update: bool = False) -> Announcement:
    """The announcement ``user`` may ``action`` (``view``, ``approve`` or ``change``).

    Everyone sees a published announcement; drafts, pending, scheduled and withdrawn ones
    only a role that may ``notifications.announcement.view``, and to anyone else they are
    "not found", as a missing one is. ``for_update`` locks the row (call inside a
    transaction) for a change of its status.
    """
    if action != "view":
        check_may(user, action)
    rows = Announcement.objects.filter(pk=announcement_id)
    rows = rows.select_for_update() if for_update else rows.prefetch_related("topics")
    row = rows.first()
    if row is None or (row.status != Status.PUBLISHED and not may(user, "view")):
        raise NotificationError(NotificationsCode.NOT_FOUND, _("No such announcement."))
    return row


def access_subscription(user: Any, subscription_id: int) -> Subscription:
    """One of the user's own subscriptions; another resident's is "not found"."""
    row = Subscription.objects.filter(user_id=int(getattr(user, "pk", None) or 0),
                                      pk=subscription_id).first()
    if row is None:
        raise NotificationError(NotificationsCode.NOT_FOUND, _("No such subscription."))
    return row
