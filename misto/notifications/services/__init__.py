"""Domain operations of the notifications module, one file per concept.

Views, the API, commands, event handlers and the runner call these functions and nothing
else. ``check_*`` functions validate and raise ``NotificationError`` (``misto.notifications.
errors``) with a stable code; the others change the database and publish events in the same
transaction.

The concepts, each in its own file (a file imports only those listed before it):
``access`` (fetch + permission check per object, one 404 for missing and hidden);
``topics``; ``twin`` (the twin's geography, read through its public functions);
``subscriptions`` (profiles, homes, subscriptions, channels); ``unsubscribe`` (one-click
links); ``fanout`` (announcement -> inbox rows -> deliveries); ``announcements`` (compose,
approve, publish, withdraw); ``notices`` (personal notices from events); ``inbox`` (reading:
inbox and public feeds); ``affected`` ("is my building affected?" on the public page).
This package re-exports the names the rest of the module uses, so callers keep writing
``services.compose(...)`` whatever file a function lives in.
"""

from __future__ import annotations

from misto.notifications.errors import NotificationError, NotificationsCode
from misto.notifications.services.access import (
    access_announcement,
    access_subscription,
    may,
)
from misto.notifications.services.affected import Place, Verdict, find_place, verdicts
from misto.notifications.services.announcements import (
    Draft,
    _create,
    announce_from_event,
    approve,
    check_draft,
    compose,
    publish_announcement,
    publish_due,
    withdraw,
)
from misto.notifications.services.fanout import (
    restart_fanout,
    run_fanout,
    run_pending_fanouts,
)
from misto.notifications.services.inbox import (
    announcement_dict,
    current,
    inbox,
    mark_read,
    outages_geojson,
    unread_count,
)
from misto.notifications.services.notices import (
    notify_users,
)
from misto.notifications.services.subscriptions import (
    PROFILE_FLAGS,
    add_push_subscription,
    home_district,
    profile_for,
    registered_home,
    remove_subscription,
    resolve_home,
    set_home,
    set_subscriptions,
    subscribe_area,
    subscriptions_of,
    update_preferences,
)
from misto.notifications.services.topics import (
    DEFAULT_TOPICS,
    active_topics,
    ensure_default_topics,
)
from misto.notifications.services.twin import (
    district_codes,
    districts_area,
    parse_area,
)
from misto.notifications.services.unsubscribe import (
    read_unsubscribe_token,
    unsubscribe,
    unsubscribe_token,
)

__all__ = [
    "DEFAULT_TOPICS",
    "PROFILE_FLAGS",
    "Draft",
    "NotificationError",
    "NotificationsCode",
    "Place",
    "Verdict",
    "_create",
    "access_announcement",
    "access_subscription",
    "active_topics",
    "add_push_subscription",
    "announce_from_event",
    "announcement_dict",
    "approve",
    "check_draft",
    "compose",
    "current",
    "district_codes",
    "districts_area",
    "ensure_default_topics",
    "find_place",
    "home_district",
    "inbox",
    "mark_read",
    "may",
    "notify_users",
    "outages_geojson",
    "parse_area",
    "profile_for",
    "publish_announcement",
    "publish_due",
    "read_unsubscribe_token",
    "registered_home",
    "remove_subscription",
    "resolve_home",
    "restart_fanout",
    "run_fanout",
    "run_pending_fanouts",
    "set_home",
    "set_subscriptions",
    "subscribe_area",
    "subscriptions_of",
    "unread_count",
    "unsubscribe",
    "unsubscribe_token",
    "update_preferences",
    "verdicts",
    "withdraw",
]
