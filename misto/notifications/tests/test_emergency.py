"""Emergencies reach people: ``situation.EmergencyDeclared`` / ``EmergencyEnded`` become urgent
announcements to the area on every channel (through quiet hours), a site-wide banner and a
public page with the nearest shelters, once per emergency however often the event comes."""

from __future__ import annotations

import json
from datetime import timedelta
from email.header import decode_header, make_header
from typing import Any

import http_ece
import pytest
from django.test import Client
from django.utils import timezone

from misto.core import outbox
from misto.core.events import handlers_for
from misto.core.models import OutboxEvent
from misto.notifications import channels, gateways, services
from misto.notifications.models import Announcement, Delivery, EmergencyNotice, Message
from misto.notifications.tests.conftest import (
    DISTRICT_A,
    PushService,
    b64,
    deliver_event,
    finish_fanout,
    push_keys,
)
from misto.testing import make_staff

pytestmark = pytest.mark.django_db

TITLE = "Порив тепломагістралі"


def declared(city: Any = None, emergency_id: int = 41, **extra: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "emergency_id": emergency_id, "title": TITLE, "kind": "heating", "districts": [],
        "area_geojson": json.loads(city.outage_area.geojson) if city else None,
        "started_at": timezone.now().isoformat(), "building_count": 9, "incident_count": 2}
    payload.update(extra)
    return payload


def ended(emergency_id: int = 41) -> dict[str, Any]:
    return {"emergency_id": emergency_id, "ended_at": timezone.now().isoformat()}


def redeliver(event: OutboxEvent) -> None:
    """The outbox delivering the same event again (at least once)."""
    for handler in handlers_for(event.name):
        if handler.app == "misto.notifications":
            handler.func(outbox.envelope(event))


def deliver_all() -> int:
    """What the runner does: fan every published announcement out, then send what is due."""
    for announcement_id in Announcement.objects.values_list("pk", flat=True):
        finish_fanout(announcement_id)
    sent = 0
    while handled := channels.deliver_due():
        sent += handled
    return sent


def quiet_now() -> dict[str, Any]:
    now = timezone.localtime()
    return {"quiet_start": (now - timedelta(hours=1)).time().replace(second=0, microsecond=0),
            "quiet_end": (now + timedelta(hours=1)).time().replace(second=0, microsecond=0)}


def outside_key(city: Any) -> str:
    return next(key for key in city.points if key not in city.inside)


def test_declared_emergency_reaches_exactly_the_residents_inside_on_every_channel_once(
        city, shelters, make_resident, smtp_server, push_service, vapid) -> None:
    gateways.LogGateway.sent.clear()
    everywhere = make_resident(
        city.points[city.inside[0]], sms_enabled=True,
        addresses={"sms": "+380501112233", "telegram": "5551", "viber": "5552"}, **quiet_now())
    browser_key, auth_secret, p256dh = push_keys()
    services.add_push_subscription(everywhere, push_service, p256dh, b64(auth_secret))
    # Any topic counts: an emergency concerns everybody who follows the place.
    schooling = make_resident(city.points[city.inside[1]], topics=("education",), **quiet_now())
    not_following = make_resident(city.points[city.inside[2]], topics=())
    outside = make_resident(city.points[outside_key(city)])
    district_only = make_resident(None)  # follows district A, home unknown: not known inside
    services.set_subscriptions(district_only, ["housing"], [DISTRICT_A])

    event = deliver_event("situation.EmergencyDeclared", declared(city))

    announcement = Announcement.objects.get()
    assert announcement.urgent and announcement.emergency and announcement.target == "area"
    assert announcement.source_key == "situation.emergency:41:declared"
    assert deliver_all() == 6  # 5 channels for one resident, e-mail for the other
    assert set(Message.objects.values_list("user_id", flat=True)) == {everywhere.pk,
                                                                      schooling.pk}
    for bystander in (not_following, outside, district_only):
        assert not smtp_server.to(bystander.email)
    # Every channel the resident enabled, in the middle of their quiet hours.
    assert set(Delivery.objects.filter(message__user=everywhere).values_list(
        "channel", "status")) == {(c, "sent") for c in ("email", "push", "sms", "telegram",
                                                        "viber")}
    mail = smtp_server.to(everywhere.email)[0]
    subject = str(make_header(decode_header(mail["Subject"])))
    assert subject == f"[!] Надзвичайна ситуація: {TITLE}"
    text = next(p for p in mail.walk() if p.get_content_type() == "text/plain")
    assert "/notices/emergency/41/" in text.get_payload(decode=True).decode()
    assert {(c, a) for c, a, _t in gateways.LogGateway.sent} == {
        ("sms", "+380501112233"), ("telegram", "5551"), ("viber", "5552")}
    push = json.loads(http_ece.decrypt(PushService.received[0][1], private_key=browser_key,
                                       auth_secret=auth_secret, version="aes128gcm"))
    assert push["urgent"] is True and push["title"] == f"Надзвичайна ситуація: {TITLE}"
    assert len(smtp_server.to(schooling.email)) == 1

    # The outbox delivers the event again, and the situation centre sends it twice: nothing.
    redeliver(event)
    deliver_event("situation.EmergencyDeclared", declared(city))
    assert deliver_all() == 0
    assert Announcement.objects.count() == 1 and Message.objects.count() == 2
    assert len(smtp_server.to(everywhere.email)) == 1 and len(PushService.received) == 1
    assert len(gateways.LogGateway.sent) == 3

    # The banner on every page, and the public page with the nearest shelters.
    client = Client(HTTP_ACCEPT_LANGUAGE="uk")
    home = client.get("/").content.decode()
    assert f"Надзвичайна ситуація: {TITLE}" in home and 'href="/notices/emergency/41/"' in home
    page = client.get("/notices/emergency/41/").content.decode()
    order = [page.index(name) for name in shelters]
    assert order == sorted(order), "the shelter inside comes first, then by distance"
    assert "на території" in page and "notice-area" in page

    # The end: announced the same way, once; the banner goes.
    end = deliver_event("situation.EmergencyEnded", ended())
    redeliver(end)
    deliver_event("situation.EmergencyEnded", ended())
    assert deliver_all() == 6
    assert deliver_all() == 0
    over = Announcement.objects.get(source_key="situation.emergency:41:ended")
    assert over.urgent and over.target == "area"
    assert set(over.messages.values_list("user_id", flat=True)) == {everywhere.pk, schooling.pk}
    assert len(smtp_server.to(everywhere.email)) == 2
    assert len(smtp_server.to(schooling.email)) == 2
    assert "Надзвичайна ситуація" not in client.get("/").content.decode()
    assert "Завершено" in client.get("/notices/emergency/41/").content.decode()
    assert list(services.current()) == [over]  # the declaration left the public feeds


@pytest.mark.parametrize("how", ["districts", "districts and a drawn area", "city-wide"])
def test_who_hears_of_a_district_or_city_wide_emergency(city, make_resident, how) -> None:
    inside = make_resident(city.points[city.inside[0]])
    in_b = make_resident(city.points[outside_key(city)])
    district_only = make_resident(None)
    services.set_subscriptions(district_only, ["housing"], [DISTRICT_A])
    district_a = services.districts_area([DISTRICT_A])
    assert district_a is not None
    payload = {
        "districts": declared(districts=[DISTRICT_A], area_geojson=json.loads(district_a.geojson)),
        "districts and a drawn area": declared(city, districts=[DISTRICT_A]),
        "city-wide": declared(),
    }[how]
    deliver_event("situation.EmergencyDeclared", payload)
    deliver_all()
    expected = {
        "districts": {inside.pk, district_only.pk},
        "districts and a drawn area": {inside.pk},  # the drawn area is what counts
        "city-wide": {inside.pk, in_b.pk, district_only.pk},
    }[how]
    assert set(Message.objects.values_list("user_id", flat=True)) == expected


def test_an_end_that_comes_first_keeps_the_late_declaration_quiet(city, make_resident) -> None:
    make_resident(city.points[city.inside[0]])
    deliver_event("situation.EmergencyEnded", ended(7))
    deliver_event("situation.EmergencyDeclared", declared(city, emergency_id=7))
    assert not Announcement.objects.exists()
    assert EmergencyNotice.objects.get(emergency_id=7).active is False
    client = Client()
    assert client.get("/notices/emergency/7/").status_code == 404
    assert "/notices/emergency/7/" not in client.get("/").content.decode()


def test_the_situation_centres_events_carry_no_personal_data(city) -> None:
    from misto.situation import services as situation

    dispatcher = make_staff("dispatcher-olena", "dispatcher", email="olena.koval@city.test",
                            first_name="Олена", last_name="Коваль")
    emergency = situation.declare_emergency(dispatcher, title=TITLE, kind="heating",
                                            area=json.loads(city.outage_area.geojson),
                                            note="Телефон чергового +380441234567")
    situation.end_emergency(emergency.pk, dispatcher)
    events = {row.name: row.payload for row in OutboxEvent.objects.filter(
        name__startswith="situation.Emergency")}
    assert set(events["situation.EmergencyDeclared"]) == {
        "emergency_id", "title", "kind", "districts", "area_geojson", "started_at",
        "building_count", "incident_count"}
    assert set(events["situation.EmergencyEnded"]) == {"emergency_id", "ended_at"}
    text = json.dumps(events, ensure_ascii=False)
    for personal in ("dispatcher-olena", "olena.koval", "Олена", "Коваль", "+380441234567",
                     f'"declared_by": {dispatcher.pk}'):
        assert personal not in text
    published = OutboxEvent.objects.filter(name="notifications.AnnouncementPublished")
    assert "dispatcher-olena" not in json.dumps([e.payload for e in published])


def test_a_malformed_event_is_refused_not_half_announced(city) -> None:
    from misto.core.models import EventDelivery

    event = OutboxEvent.objects.create(name="situation.EmergencyDeclared",
                                       payload={"title": "без номера"},
                                       occurred_at=timezone.now())
    handler = next(h for h in handlers_for(event.name) if h.app == "misto.notifications")
    row = EventDelivery.objects.create(event=event, handler=handler.id,
                                       next_attempt_at=event.occurred_at)
    outbox.deliver(row.pk)
    row.refresh_from_db()
    assert row.status == "pending" and "emergency_id" in row.last_error
    assert not Announcement.objects.exists() and not EmergencyNotice.objects.exists()


def test_emergency_page_shows_status_and_the_walk_to_the_nearest_open_shelter(city, shelters):
    from misto.testing.world import ON_SHEVCHENKA
    from misto.twin import services as twin_services
    from misto.twin.models import Feature

    for name, status in [("Укриття № 1", "open"), ("Укриття «Ліцей»", "closed")]:
        feature = Feature.objects.get(name=name, retired_at=None)
        twin_services.change_feature(feature.pk, properties={**feature.properties,
                                                             "status": status})
    deliver_event("situation.EmergencyDeclared", declared(city))
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    page = client.get("/notices/emergency/41/").content.decode()
    assert 'data-status="closed">closed<' in page
    assert 'data-status="unknown">status unknown<' in page
    walk = client.get("/notices/emergency/41/", {"lon": ON_SHEVCHENKA[0],
                                                  "lat": ON_SHEVCHENKA[1]})
    html = walk.content.decode()
    assert walk.status_code == 200
    assert "From Your location:" in html and "m on foot, about" in html
    # Only open shelters are walked to: № 1 is the one open within reach of the streets.
    walks = html[html.index('id="walks"'):html.index("</ol>", html.index('id="walks"'))]
    assert "Укриття № 1" in walks and "Ліцей" not in walks
    assert '"notice-walks"' in html and "LineString" in html
    bad = client.get("/notices/emergency/41/", {"q": "99-9999"}).content.decode()
    assert 'role="alert"' in bad and 'id="walks"' not in bad
