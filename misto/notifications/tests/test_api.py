"""HTTP: the API (bad input is a 4xx with a reason), public feeds, pages, the cabinet panel."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from django.test import Client

from misto.notifications import services
from misto.notifications.models import Announcement, Message
from misto.notifications.tests.conftest import DISTRICT_A, finish_fanout, outage_draft

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_compose_outage_through_the_api(city, make_resident, staff) -> None:
    resident = make_resident(city.points[city.inside[0]])
    client = logged_in(staff())
    body = {
        "kind": "outage", "outage_type": "water", "topics": ["housing"], "target": "area",
        "title_uk": "Вода", "title_en": "Water",
        "area": json.loads(city.outage_area.geojson),
        "starts_at": "2030-01-01T08:00:00+02:00", "ends_at": "2030-01-01T18:00:00+02:00",
    }
    response = client.post("/api/notifications/announcements", body,
                           content_type="application/json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["building_count"] == 9 and created["status"] == "published"
    finish_fanout(created["id"])
    inbox = logged_in(resident).get("/api/notifications/inbox").json()
    assert inbox["unread"] == 1 and inbox["messages"][0]["title"] == "Вода"
    response = logged_in(resident).post("/api/notifications/inbox/read", {},
                                        content_type="application/json")
    assert response.json() == {"marked": 1}


@pytest.mark.parametrize("change, status, code", [
    ({"target": "galaxy"}, 400, "bad_target"),
    ({"topics": ["nope"]}, 400, "bad_topic"),
    ({"area": {"type": "Polygon", "coordinates": "x"}}, 400, "bad_area"),
    ({"ends_at": "2020-01-01T00:00:00+00:00"}, 400, "bad_times"),
    ({"buildings": [0]}, 422, None),
    ({"title_uk": "a\x00b"}, 400, None),
])
def test_bad_announcements_are_4xx_and_write_nothing(city, staff, change, status, code) -> None:
    body = {"kind": "outage", "outage_type": "water", "topics": ["housing"], "target": "area",
            "title_uk": "Вода", "area": json.loads(city.outage_area.geojson),
            "starts_at": "2030-01-01T08:00:00+02:00", "ends_at": "2030-01-01T18:00:00+02:00"}
    body.update(change)
    response = logged_in(staff()).post("/api/notifications/announcements", body,
                                       content_type="application/json")
    assert response.status_code == status, response.content
    if code:
        assert response.json()["error"] == code and response.json()["detail"]
    assert not Announcement.objects.exists()


def test_residents_cannot_compose_and_anonymous_must_sign_in(city, make_resident) -> None:
    body = {"topics": ["housing"], "target": "districts", "districts": [DISTRICT_A],
            "title_uk": "x"}
    response = logged_in(make_resident(None)).post("/api/notifications/announcements", body,
                                                   content_type="application/json")
    assert response.status_code == 403 and response.json()["error"] == "forbidden"
    assert Client().post("/api/notifications/announcements", body,
                         content_type="application/json").status_code == 401
    assert Client().get("/api/notifications/inbox").status_code == 401


def test_subscriptions_home_and_preferences_api(city, make_resident) -> None:
    user = make_resident(None)
    client = logged_in(user)
    response = client.put("/api/notifications/home", {"address": "Грушевського 4"},
                          content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["district"] == DISTRICT_A
    subs = client.get("/api/notifications/subscriptions").json()["subscriptions"]
    assert len(subs) == len(services.DEFAULT_TOPICS)
    response = client.put("/api/notifications/subscriptions",
                          {"topics": ["traffic"], "districts": ["UA99"]},
                          content_type="application/json")
    assert response.status_code == 400 and response.json()["error"] == "bad_district"
    assert len(client.get("/api/notifications/subscriptions").json()["subscriptions"]) == 6
    response = client.put("/api/notifications/subscriptions",
                          {"topics": ["traffic"], "districts": [DISTRICT_A]},
                          content_type="application/json")
    assert [s["topic"] for s in response.json()["subscriptions"]] == ["traffic"]
    response = client.post("/api/notifications/subscriptions/area", {
        "topics": ["events"], "area": {"type": "Polygon", "coordinates": [[
            [35.1, 47.8], [35.2, 47.8], [35.2, 47.9], [35.1, 47.8]]]}},
        content_type="application/json")
    assert response.status_code == 200 and len(response.json()["subscriptions"]) == 2
    response = client.put("/api/notifications/preferences",
                          {"quiet_start": "22:00", "quiet_end": "07:00", "sms_enabled": True,
                           "addresses": {"sms": "+380501112233"}},
                          content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["addresses"] == {"sms": "+380501112233"}
    response = client.put("/api/notifications/preferences", {"quiet_start": "22:00"},
                          content_type="application/json")
    assert response.status_code == 400 and response.json()["error"] == "bad_quiet_hours"
    assert client.put("/api/notifications/home", {"address": "Місяць 1"},
                      content_type="application/json").status_code == 400


def test_public_feeds(city, make_resident, staff) -> None:
    clerk = staff()
    outage = services.compose(clerk, outage_draft(city))
    news = services.compose(clerk, services.Draft(
        title_uk="Ярмарок", title_en="Fair", topics=["events"], target="districts",
        districts=[DISTRICT_A], body_uk="У суботу."))
    client = Client()
    data = client.get("/api/notifications/announcements").json()["announcements"]
    assert {a["id"] for a in data} == {outage.pk, news.pk}
    geo = client.get("/notices/outages.geojson")
    assert geo["Content-Type"].startswith("application/geo+json")
    features = geo.json()["features"]
    assert [f["id"] for f in features] == [outage.pk]
    assert features[0]["geometry"]["type"] == "MultiPolygon"
    assert features[0]["properties"]["outage_type"] == "water"
    assert client.get("/api/notifications/outages").json()["features"][0]["id"] == outage.pk
    atom = client.get("/notices/feed.atom")
    assert atom["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(atom.content)
    titles = {e.text for e in root.iter("{http://www.w3.org/2005/Atom}title")}
    assert {"Відключення води", "Ярмарок"} <= titles
    assert {a["title"] for a in client.get("/notices/feed.json").json()["announcements"]} == {
        "Відключення води", "Ярмарок"}
    page = client.get("/notices/")
    assert page.status_code == 200 and "Відключення води" in page.content.decode()
    assert client.get(f"/notices/{outage.pk}/").status_code == 200
    assert client.get("/notices/999999/").status_code == 404
    assert client.get("/api/notifications/announcements/999999").status_code == 404


def test_pages_for_residents_and_staff(city, make_resident, staff) -> None:
    resident = make_resident(city.points[city.inside[0]])
    clerk = staff()
    announcement = services.compose(clerk, outage_draft(city))
    finish_fanout(announcement.pk)
    client = logged_in(resident)
    page = client.get("/notices/inbox/")
    assert page.status_code == 200 and "Відключення води" in page.content.decode()
    assert client.get("/notices/settings/").status_code == 200
    response = client.post("/notices/settings/", {"action": "home", "home-address": "Марс 1"})
    assert response.status_code == 400
    response = client.post("/notices/settings/", {"action": "home",
                                                  "home-address": "Садова 4"})
    assert response.status_code == 302
    cabinet = client.get("/cabinet/")
    assert cabinet.status_code == 200 and "Відключення води" in cabinet.content.decode()
    assert client.get("/notices/compose/").status_code == 403
    staff_client = logged_in(clerk)
    assert staff_client.get("/notices/compose/").status_code == 200
    response = staff_client.post("/notices/compose/", {"title_uk": "", "topics": ["housing"],
                                                       "target": "city", "kind": "announcement"})
    assert response.status_code == 400
    response = staff_client.post("/notices/compose/", {
        "title_uk": "Для міста", "topics": ["housing"], "target": "city",
        "kind": "announcement"})
    assert response.status_code == 302
    pending = Announcement.objects.get(title_uk="Для міста")
    assert pending.status == "pending"
    staff_client.post(f"/notices/{pending.pk}/approve/")
    pending.refresh_from_db()
    assert pending.status == "pending"  # the author cannot approve their own
    logged_in(staff()).post(f"/notices/{pending.pk}/approve/")
    pending.refresh_from_db()
    assert pending.status == "published"


def test_unsubscribe_api(city, make_resident) -> None:
    user = make_resident(city.points[city.inside[0]], topics=("housing", "traffic"))
    token = services.unsubscribe_token(user.pk, ["traffic"])
    client = Client()
    assert client.post("/api/notifications/unsubscribe", {"token": "bad"},
                       content_type="application/json").status_code == 400
    response = client.post("/api/notifications/unsubscribe", {"token": token},
                           content_type="application/json")
    assert response.status_code == 200
    assert set(services.subscriptions_of(user).values_list("topic__code", flat=True)) == {
        "housing"}
    assert not Message.objects.exists()


def test_a_hidden_announcement_or_subscription_answers_as_a_missing_one(
        city, make_resident, staff) -> None:
    """Access: a draft (to a resident) and another resident's subscription are "not found",
    with the same body as an id that does not exist, so nobody learns they exist."""
    author = staff()
    draft = services.compose(author, services.Draft(
        title_uk="Для всіх", topics=["housing"], target="city"))  # waits for approval
    resident, other = make_resident(None), make_resident(None)
    client = logged_in(resident)
    hidden = client.get(f"/api/notifications/announcements/{draft.pk}")
    missing = client.get(f"/api/notifications/announcements/{draft.pk + 1000}")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json() == {"error": "not_found",
                                               "detail": hidden.json()["detail"]}
    assert logged_in(author).get(f"/api/notifications/announcements/{draft.pk}"
                                 ).status_code == 200
    assert client.get(f"/notices/{draft.pk}/").status_code == 404
    services.set_subscriptions(other, ["housing"], [DISTRICT_A])
    theirs = services.subscriptions_of(other)[0].pk
    gone = client.delete(f"/api/notifications/subscriptions/{theirs}")
    never = client.delete(f"/api/notifications/subscriptions/{theirs + 1000}")
    assert gone.status_code == never.status_code == 404 and gone.json() == never.json()
    assert services.subscriptions_of(other).count() == 1
    second = logged_in(staff())
    assert second.post(f"/notices/{draft.pk + 1000}/approve/").status_code == 404
    assert second.post(f"/api/notifications/announcements/{draft.pk + 1000}/approve"
                       ).status_code == 404
