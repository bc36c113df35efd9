"""Public routes: anyone may read the current announcements and outages, unsubscribe with the
token from a message, and fetch the Web Push key. Nothing personal is answered here."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import get_language
from ninja import Query

from misto.core.audience import Audience
from misto.core.schemas import DbId, refusals
from misto.notifications import push, services
from misto.notifications.api.schemas import (
    AnnouncementOut,
    AnnouncementsOut,
    ListQuery,
    OutagesOut,
    PushKeyOut,
    TopicsOut,
    UnsubscribedOut,
    UnsubscribeIn,
)

routes = Audience()

# The outage map is GeoJSON and says so (RFC 7946's media type), beside the JSON it also is.
GEOJSON = {"responses": {200: {"content": {"application/geo+json": {
    "schema": {"$ref": "#/components/schemas/OutagesOut"}}}}}}


@routes.get("/topics", response={200: TopicsOut, **refusals()},
            summary="The topics residents can subscribe to")
def topics(request: HttpRequest) -> dict[str, Any]:
    return {"topics": [{"code": t.code, "title": t.title(), "title_uk": t.title_uk,
                        "title_en": t.title_en} for t in services.active_topics()]}


@routes.get("/announcements", response={200: AnnouncementsOut, **refusals(400)},
            summary="Current announcements and outages")
def announcements(request: HttpRequest, query: Query[ListQuery]) -> dict[str, Any]:
    rows = services.current()
    if query.kind:
        rows = rows.filter(kind=query.kind)
    language = get_language()
    return {"announcements": [services.announcement_dict(r, language)
                              for r in rows[:query.limit]]}


@routes.get("/announcements/{announcement_id}",
            response={200: AnnouncementOut, **refusals(400, 404)},
            summary="One announcement (a draft only to staff who may see drafts)")
def announcement(request: HttpRequest, announcement_id: DbId) -> dict[str, Any]:
    row = services.access_announcement(request.user, announcement_id)
    return services.announcement_dict(row, get_language())


@routes.get("/outages", response={200: OutagesOut, **refusals()}, openapi_extra=GEOJSON,
            summary="Current outage areas as a GeoJSON FeatureCollection")
def outages(request: HttpRequest) -> JsonResponse:
    return JsonResponse(services.outages_geojson(language=get_language()),
                        content_type="application/geo+json",
                        json_dumps_params={"ensure_ascii": False})


@routes.post("/unsubscribe", response={200: UnsubscribedOut, **refusals(400)},
             summary="One-click unsubscribe with the token from a message")
def unsubscribe(request: HttpRequest, body: UnsubscribeIn) -> dict[str, Any]:
    done = services.unsubscribe(body.token)
    return {"unsubscribed": True, "scope": done.scope, "topics": done.topics}


@routes.get("/push/key", response={200: PushKeyOut, **refusals()},
            summary="The VAPID public key for PushManager.subscribe")
def push_key(request: HttpRequest) -> dict[str, Any]:
    return {"public_key": push.public_key()}
