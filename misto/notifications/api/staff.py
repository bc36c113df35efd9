"""Staff routes: compose, approve and withdraw announcements.

Signed in (401 otherwise; a failed CSRF check is 403), and the services check the role's
``notifications.announcement.<verb>`` before reading anything (403 whatever the id); an
announcement the user may not see is "not found" as a missing one is (404).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import get_language
from ninja import Status
from ninja.security import django_auth

from misto.core.audience import Audience
from misto.core.schemas import DbId, refusals
from misto.notifications import services
from misto.notifications.api.schemas import AnnouncementIn, AnnouncementOut

routes = Audience(auth=django_auth)


@routes.post("/announcements", response={201: AnnouncementOut, **refusals(400, 401, 403)},
             summary="Compose an announcement (staff)")
def compose(request: HttpRequest, body: AnnouncementIn) -> Status[dict[str, Any]]:
    row = services.compose(request.user, services.Draft(**body.dict()))
    return Status(201, services.announcement_dict(row, get_language()))


@routes.post("/announcements/{announcement_id}/approve",
             response={200: AnnouncementOut, **refusals(400, 401, 403, 404, 409)},
             summary="Approve a city-wide announcement (a second member of staff)")
def approve(request: HttpRequest, announcement_id: DbId) -> dict[str, Any]:
    row = services.approve(request.user, announcement_id)
    return services.announcement_dict(row, get_language())


@routes.post("/announcements/{announcement_id}/withdraw",
             response={200: AnnouncementOut, **refusals(400, 401, 403, 404)},
             summary="Withdraw an announcement (staff)")
def withdraw(request: HttpRequest, announcement_id: DbId) -> dict[str, Any]:
    row = services.withdraw(request.user, announcement_id)
    return services.announcement_dict(row, get_language())
