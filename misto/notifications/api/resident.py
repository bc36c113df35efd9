"""Resident routes: a signed-in person's inbox, subscriptions, home, preferences and this
browser's Web Push subscription. Each answers about the caller only (401 when not signed
in; a failed CSRF check on a change is 403)."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from django.utils.translation import get_language
from ninja import Query, Status
from ninja.security import django_auth

from misto.core.audience import Audience
from misto.core.schemas import DbId, refusals
from misto.notifications import services
from misto.notifications.api.schemas import (
    AreaIn,
    CreatedOut,
    HomeIn,
    HomeOut,
    InboxOut,
    InboxQuery,
    MarkedOut,
    PreferencesIn,
    PreferencesOut,
    PushIn,
    ReadIn,
    SubscriptionsIn,
    SubscriptionsOut,
)
from misto.notifications.channels import render
from misto.notifications.models import Channel, ChannelAddress, Profile

routes = Audience(auth=django_auth)


@routes.get("/inbox", response={200: InboxOut, **refusals(400, 401)}, summary="My inbox")
def inbox(request: HttpRequest, query: Query[InboxQuery]) -> dict[str, Any]:
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
    return {"unread": services.unread_count(request.user), "messages": items}


@routes.post("/inbox/read", response={200: MarkedOut, **refusals(400, 401, 403)},
             summary="Mark messages (or all) as read")
def read(request: HttpRequest, body: ReadIn) -> dict[str, Any]:
    return {"marked": services.mark_read(request.user, body.ids)}


def _subscriptions(request: HttpRequest) -> dict[str, Any]:
    return {"subscriptions": [
        {"id": s.pk, "topic": s.topic.code, "district": s.district or None,
         "area": json.loads(s.area.geojson) if s.area else None}
        for s in services.subscriptions_of(request.user)]}


@routes.get("/subscriptions", response={200: SubscriptionsOut, **refusals(401)},
            summary="My subscriptions")
def subscriptions(request: HttpRequest) -> dict[str, Any]:
    return _subscriptions(request)


@routes.put("/subscriptions", response={200: SubscriptionsOut, **refusals(400, 401, 403)},
            summary="Replace my district subscriptions (drawn areas are kept)")
def set_subscriptions(request: HttpRequest, body: SubscriptionsIn) -> dict[str, Any]:
    services.set_subscriptions(request.user, body.topics, body.districts,
                               city_wide=body.city_wide)
    return _subscriptions(request)


@routes.post("/subscriptions/area",
             response={200: SubscriptionsOut, **refusals(400, 401, 403)},
             summary="Follow topics in a drawn area")
def subscribe_area(request: HttpRequest, body: AreaIn) -> dict[str, Any]:
    services.subscribe_area(request.user, body.topics, body.area)
    return _subscriptions(request)


@routes.delete("/subscriptions/{subscription_id}",
               response={200: SubscriptionsOut, **refusals(400, 401, 403, 404)},
               summary="Remove one subscription")
def remove_subscription(request: HttpRequest, subscription_id: DbId) -> dict[str, Any]:
    services.remove_subscription(request.user, subscription_id)
    return _subscriptions(request)


@routes.put("/home", response={200: HomeOut, **refusals(400, 401, 403)},
            summary="Set my home (address or point): district, building, default topics")
def set_home(request: HttpRequest, body: HomeIn) -> dict[str, Any]:
    home = services.resolve_home(body.address, body.lon, body.lat)
    profile = services.set_home(request.user, home)
    return {"home": profile.home_label, "district": profile.home_district,
            "building_id": profile.home_building_id}


def _preferences(profile: Profile, user: Any) -> dict[str, Any]:
    data: dict[str, Any] = {name: getattr(profile, name) for name in services.PROFILE_FLAGS}
    data.update(
        quiet_start=profile.quiet_start.isoformat() if profile.quiet_start else None,
        quiet_end=profile.quiet_end.isoformat() if profile.quiet_end else None,
        language=profile.language, home=profile.home_label or None,
        district=profile.home_district or None, building_id=profile.home_building_id,
        addresses={a.channel: a.address for a in ChannelAddress.objects.filter(user=user)},
        channels=list(Channel.values),
    )
    return data


@routes.get("/preferences", response={200: PreferencesOut, **refusals(401)},
            summary="My channels and quiet hours")
def preferences(request: HttpRequest) -> dict[str, Any]:
    return _preferences(services.profile_for(request.user), request.user)


@routes.put("/preferences", response={200: PreferencesOut, **refusals(400, 401, 403)},
            summary="Set my channels and quiet hours")
def set_preferences(request: HttpRequest, body: PreferencesIn) -> dict[str, Any]:
    data = body.dict()
    flags = {name: data.pop(name) for name in services.PROFILE_FLAGS}
    profile = services.update_preferences(request.user, **data, **flags)
    return _preferences(profile, request.user)


@routes.post("/push/subscriptions", response={201: CreatedOut, **refusals(400, 401, 403)},
             summary="Register this browser for push")
def push_subscribe(request: HttpRequest, body: PushIn) -> Status[dict[str, Any]]:
    row = services.add_push_subscription(request.user, body.endpoint,
                                         body.keys.get("p256dh", ""), body.keys.get("auth", ""))
    return Status(201, {"id": row.pk})
