"""One-click unsubscribe: signed links in every message that stop topics or report updates.

Separate from subscriptions because the link works without a session: the signed token is
the only proof of who asks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core import signing
from django.db import transaction
from django.utils.translation import gettext as _

from misto.notifications.errors import NotificationError, NotificationsCode
from misto.notifications.models import Profile, Subscription

UNSUBSCRIBE_SALT = "misto.notifications.unsubscribe"


def unsubscribe_token(user_id: int, topics: Sequence[str] = (), scope: str = "topics") -> str:
    """A signed token naming the user and what to stop: topics, or report updates."""
    return signing.dumps({"u": user_id, "t": list(topics), "s": scope}, salt=UNSUBSCRIBE_SALT,
                         compress=True)


@dataclass(frozen=True)
class Unsubscribe:
    user_id: int
    topics: list[str]
    scope: str


def read_unsubscribe_token(token: str) -> Unsubscribe:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        return Unsubscribe(int(data["u"]), [str(t) for t in data.get("t", [])],
                           str(data.get("s", "topics")))
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise NotificationError(NotificationsCode.BAD_TOKEN,
                                _("This unsubscribe link is not valid.")) from error


@transaction.atomic
def unsubscribe(token: str) -> Unsubscribe:
    """Apply a one-click unsubscribe link (idempotent)."""
    request = read_unsubscribe_token(token)
    if request.scope == "reports":
        Profile.objects.update_or_create(user_id=request.user_id,
                                         defaults={"report_updates": False})
    else:
        rows = Subscription.objects.filter(user_id=request.user_id)
        if request.topics:
            rows = rows.filter(topic__code__in=request.topics)
        rows.delete()
    return request
