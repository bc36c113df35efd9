"""The notifications API, mounted at /api/notifications/, declared per audience.

``public`` (anyone: topics, current announcements, outage areas, one-click unsubscribe, the
Web Push key), ``resident`` (signed in: inbox, subscriptions, home, preferences, this
browser's push subscription) and ``staff`` (compose, approve, withdraw; the roles are checked
by the services, ``notifications.announcement.<verb>``). Thin: every handler calls services
and declares exactly the answers it gives (a route that reads a parameter or a body also
declares 400: the core refuses a NUL byte anywhere in a request before routing); a refusal is a
:class:`~misto.notifications.errors.NotificationError` that ``misto/api.py`` turns into
``{"error": <code>, "detail": <reason>}``.
"""

from __future__ import annotations

from ninja import Router

from misto.notifications.api import public, resident, staff

router = Router(tags=["notifications"])
for audience in (public.routes, resident.routes, staff.routes):
    audience.mount_on(router)
