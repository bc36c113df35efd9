"""The notifications API, mounted at /api/notifications/. Thin: every handler calls services.

Public: topics, current announcements, outage areas (GeoJSON). Residents (signed in): inbox,
subscriptions, home, preferences, Web Push subscriptions. Staff: compose, approve, withdraw.
Errors are JSON ``{"error": <code>, "detail": <reason>}`` with a 4xx status.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated, Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import get_language
from ninja import Query, Router, Schema
from ninja.security import django_auth
from pydantic import Field

from misto.core.schemas import DbId, Limit
from misto.notifications import push, services
from misto.notifications.models import Channel

router = Router(tags=["notifications"])

NO_NUL = r"^[^\x00]*$"
Code = Annotated[str, Field(max_length=40, pattern=NO_NUL)]
Short = Annotated[str, Field(max_length=200, pattern=NO_NUL)]
Long = Annotated[str, Field(max_length=20000, pattern=NO_NUL)]
Lon = Annotated[float, Field(ge=-180, le=180)]
Lat = Annotated[float, Field(ge=-90, le=90)]


def ok(data: Any, status: int = 200, content_type: str = "application/json") -> JsonResponse:
    return JsonResponse(data, status=status, safe=False, content_type=content_type,
                        json_dumps_params={"ensure_ascii": False})


# --- Public ---------------------------------------------------------------------------------


@router.get("/topics", summary="The topics residents can subscribe to")
def topics(request: HttpRequest) -> JsonResponse:
    return ok({"topics": [{"code": t.code, "title": t.title(), "title_uk": t.title_uk,
                           "title_en": t.title_en} for t in services.active_topics()]})


class ListQuery(Schema):
    kind: Annotated[str, Field(pattern=r"^(announcement|outage)$")] | None = None
    limit: Limit = 100


@router.get("/announcements", summary="Current announcements and outages")
def announcements(request: HttpRequest, query: Query[ListQuery]) -> JsonResponse:
    rows = services.current()
    if query.kind:
        rows = rows.filter(kind=query.kind)
    language = get_language()
    return ok({"announcements": [services.announcement_dict(r, language)
                                 for r in rows[:query.limit]]})


@router.get("/announcements/{int:announcement_id}", summary="One announcement")
def announcement(request: HttpRequest, announcement_id: DbId) -> JsonResponse:
    row = services.access_announcement(request.user, announcement_id)
    return ok(services.announcement_dict(row, get_language()))


@router.get("/outages", summary="Current outage areas as a GeoJSON FeatureCollection")
def outages(request: HttpRequest) -> JsonResponse:
    return ok(services.outages_geojson(language=get_language()),
              content_type="application/geo+json")


class UnsubscribeIn(Schema):
    token: Annotated[str, Field(max_length=2000, pattern=NO_NUL)]


@router.post("/unsubscribe", summary="One-click unsubscribe with the token from a message")
def unsubscribe(request: HttpRequest, body: UnsubscribeIn) -> JsonResponse:
    done = services.unsubscribe(body.token)
    return ok({"unsubscribed": True, "scope": done.scope, "topics": done.topics})


# --- Staff ----------------------------------------------------------------------------------


class AnnouncementIn(Schema):
    title_uk: Short
    title_en: Short = ""
    body_uk: Long = ""
    body_en: Long = ""
    topics: list[Code] = Field(max_length=50)
    target: Annotated[str, Field(max_length=20, pattern=NO_NUL)]
    kind: Annotated[str, Field(max_length=20, pattern=NO_NUL)] = "announcement"
    outage_type: Annotated[str, Field(max_length=20, pattern=NO_NUL)] = ""
    emergency: bool = False
    urgent: bool = False
    districts: list[Code] = Field(default=[], max_length=100)
    area: dict[str, Any] | None = None
    buildings: list[DbId] = Field(default=[], max_length=10000)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    publish_at: datetime | None = None
    expires_at: datetime | None = None


@router.post("/announcements", auth=django_auth, summary="Compose an announcement (staff)")
def compose(request: HttpRequest, body: AnnouncementIn) -> JsonResponse:
    draft = services.Draft(**body.dict())
    row = services.compose(request.user, draft)
    return ok(services.announcement_dict(row, get_language()), status=201)


@router.post("/announcements/{int:announcement_id}/approve", auth=django_auth,
             summary="Approve a city-wide announcement (a second member of staff)")
def approve(request: HttpRequest, announcement_id: DbId) -> JsonResponse:
    row = services.approve(request.user, announcement_id)
    return ok(services.announcement_dict(row, get_language()))


@router.post("/announcements/{int:announcement_id}/withdraw", auth=django_auth,
             summary="Withdraw an announcement (staff)")
def withdraw(request: HttpRequest, announcement_id: DbId) -> JsonResponse:
    row = services.withdraw(request.user, announcement_id)
    return ok(services.announcement_dict(row, get_language()))


# --- Residents ------------------------------------------------------------------------------


class InboxQuery(Schema):
    limit: Limit = 50
    unread: bool = False


@router.get("/inbox", auth=django_auth, summary="My inbox")
def inbox(request: HttpRequest, query: Query[InboxQuery]) -> JsonResponse:
    from misto.notifications.channels import render

    rows = services.inbox(request.user)
    if query.unread:
        rows = rows.filter(read_at__isnull=True)
    language = get_language()
    items = []
    for message in rows.prefetch_related("announcement__topics")[:query.limit]:
        shown = render(message, language)
        items.append({"id": message.pk, "title": shown.title, "body": shown.body,
                      "url": shown.url, "urgent": message.urgent,
                      "announcement_id": message.announcement_id,
                      "created_at": message.created_at.isoformat(),
                      "read": message.read_at is not None})
    return ok({"unread": services.unread_count(request.user), "messages": items})


class ReadIn(Schema):
    ids: list[DbId] | None = Field(default=None, max_length=1000)


@router.post("/inbox/read", auth=django_auth, summary="Mark messages (or all) as read")
def read(request: HttpRequest, body: ReadIn) -> JsonResponse:
    return ok({"marked": services.mark_read(request.user, body.ids)})


def _subscriptions(request: HttpRequest) -> JsonResponse:
    import json

    return ok({"subscriptions": [
        {"id": s.pk, "topic": s.topic.code, "district": s.district or None,
         "area": json.loads(s.area.geojson) if s.area else None}
        for s in services.subscriptions_of(request.user)]})


@router.get("/subscriptions", auth=django_auth, summary="My subscriptions")
def subscriptions(request: HttpRequest) -> JsonResponse:
    return _subscriptions(request)


class SubscriptionsIn(Schema):
    topics: list[Code] = Field(max_length=50)
    districts: list[Code] = Field(default=[], max_length=100)
    city_wide: bool = False


@router.put("/subscriptions", auth=django_auth,
            summary="Replace my district subscriptions (drawn areas are kept)")
def set_subscriptions(request: HttpRequest, body: SubscriptionsIn) -> JsonResponse:
    services.set_subscriptions(request.user, body.topics, body.districts,
                               city_wide=body.city_wide)
    return _subscriptions(request)


class AreaIn(Schema):
    topics: list[Code] = Field(max_length=50)
    area: dict[str, Any]


@router.post("/subscriptions/area", auth=django_auth, summary="Follow topics in a drawn area")
def subscribe_area(request: HttpRequest, body: AreaIn) -> JsonResponse:
    services.subscribe_area(request.user, body.topics, body.area)
    return _subscriptions(request)


@router.delete("/subscriptions/{int:subscription_id}", auth=django_auth,
               summary="Remove one subscription")
def remove_subscription(request: HttpRequest, subscription_id: DbId) -> JsonResponse:
    services.remove_subscription(request.user, subscription_id)
    return _subscriptions(request)


class HomeIn(Schema):
    address: Short = ""
    lon: Lon | None = None
    lat: Lat | None = None


@router.put("/home", auth=django_auth,
            summary="Set my home (address or point): district, building, default topics")
def set_home(request: HttpRequest, body: HomeIn) -> JsonResponse:
    home = services.resolve_home(body.address, body.lon, body.lat)
    profile = services.set_home(request.user, home)
    return ok({"home": profile.home_label, "district": profile.home_district,
               "building_id": profile.home_building_id})


class PreferencesIn(Schema):
    email_enabled: bool = True
    push_enabled: bool = True
    sms_enabled: bool = False
    telegram_enabled: bool = True
    viber_enabled: bool = True
    report_updates: bool = True
    quiet_start: time | None = None
    quiet_end: time | None = None
    language: Annotated[str, Field(pattern=r"^(uk|en)$")] = "uk"
    addresses: dict[Annotated[str, Field(pattern=r"^(sms|telegram|viber)$")], Short] = {}


def _preferences(profile: Any, user: Any) -> dict[str, Any]:
    from misto.notifications.models import ChannelAddress

    data = {name: getattr(profile, name) for name in services.PROFILE_FLAGS}
    data.update(
        quiet_start=profile.quiet_start.isoformat() if profile.quiet_start else None,
        quiet_end=profile.quiet_end.isoformat() if profile.quiet_end else None,
        language=profile.language, home=profile.home_label or None,
        district=profile.home_district or None, building_id=profile.home_building_id,
        addresses={a.channel: a.address for a in ChannelAddress.objects.filter(user=user)},
        channels=list(Channel.values),
    )
    return data


@router.get("/preferences", auth=django_auth, summary="My channels and quiet hours")
def preferences(request: HttpRequest) -> JsonResponse:
    return ok(_preferences(services.profile_for(request.user), request.user))


@router.put("/preferences", auth=django_auth, summary="Set my channels and quiet hours")
def set_preferences(request: HttpRequest, body: PreferencesIn) -> JsonResponse:
    data = body.dict()
    flags = {name: data.pop(name) for name in services.PROFILE_FLAGS}
    profile = services.update_preferences(request.user, **data, **flags)
    return ok(_preferences(profile, request.user))


@router.get("/push/key", summary="The VAPID public key for PushManager.subscribe")
def push_key(request: HttpRequest) -> JsonResponse:
    return ok({"public_key": push.public_key()})


class PushIn(Schema):
    endpoint: Annotated[str, Field(max_length=1000, pattern=NO_NUL)]
    keys: dict[Annotated[str, Field(pattern=r"^(p256dh|auth)$")], Short]


@router.post("/push/subscriptions", auth=django_auth, summary="Register this browser for push")
def push_subscribe(request: HttpRequest, body: PushIn) -> JsonResponse:
    row = services.add_push_subscription(request.user, body.endpoint,
                                         body.keys.get("p256dh", ""),
                                         body.keys.get("auth", ""))
    return ok({"id": row.pk}, status=201)
