"""The API: GeoJSON shape, filters, errors, dispatch and permissions."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client
from PIL import Image

from misto.core.models import OutboxEvent
from misto.core.permissions import can
from misto.situation import services
from misto.situation.models import Incident, IncidentUpdate, Status
from misto.situation.tests.conftest import (
    ON_LESI,
    ON_SHEVCHENKA,
    ON_SHEVCHENKA_60M,
    reading_payload,
    report_payload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def incidents(city):
    services.ingest_reading(reading_payload("p-1", *ON_SHEVCHENKA))
    services.ingest_report_created(report_payload(201, *ON_SHEVCHENKA_60M))
    services.ingest_report_created(report_payload(202, *ON_LESI, category="pothole"))
    return list(Incident.objects.order_by("pk"))


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_incidents_geojson_shape(incidents, people):
    response = client_for(people.dispatcher).get("/api/situation/incidents?status=open")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) == 2
    for feature in data["features"]:
        assert feature["type"] == "Feature"
        assert feature["geometry"]["type"] == "Point"
        lon, lat = feature["geometry"]["coordinates"]
        assert 35 < lon < 36 and 47 < lat < 48
        props = feature["properties"]
        assert {"id", "kind", "status", "severity", "district", "sources"} <= set(props)
        assert props["status"] == "open"
        assert props["severity"] in {"info", "warning", "critical"}
        assert all(set(s) == {"module", "id"} for s in props["sources"])
    water = next(f for f in data["features"] if f["properties"]["kind"] == "water")
    assert water["properties"]["sources"] == [{"module": "iot", "id": "p-1:water_pressure"},
                                              {"module": "reports", "id": "201"}]
    assert water["properties"]["district"] == "UA23060070010000012"


def test_filters(incidents, people):
    client = client_for(people.dispatcher)

    def ids(query: str) -> list[int]:
        response = client.get(f"/api/situation/incidents?{query}")
        assert response.status_code == 200, response.content
        return sorted(f["properties"]["id"] for f in json.loads(response.content)["features"])

    water, roads = incidents
    assert ids("kind=water") == [water.pk]
    assert ids("kind=water,roads") == [water.pk, roads.pk]
    assert ids("severity=critical") == [water.pk]
    assert ids("district=UA23060070010000013") == []
    assert ids("period=1h") == [water.pk, roads.pk]
    assert ids("status=resolved") == []
    assert ids("bbox=35.12,47.815,35.14,47.825") == [water.pk]
    services.assign(roads.pk, people.dispatcher, crew_id=people.other_crew.pk)
    assert ids("status=open") == [water.pk]
    assert ids("status=assigned") == [roads.pk]
    assert ids("") == [water.pk, roads.pk]  # active by default


@pytest.mark.parametrize("query, word", [
    ("status=closed", "closed"), ("kind=volcano", "volcano"), ("severity=huge", "huge"),
    ("period=2w", "2w"), ("since=yesterday", "yesterday"), ("bbox=1,2,3", "bbox"),
    ("limit=0", "limit"),
])
def test_bad_filters_are_400_with_the_reason(incidents, people, query, word):
    response = client_for(people.dispatcher).get(f"/api/situation/incidents?{query}")
    assert response.status_code == 400
    body = json.loads(response.content)
    assert body["error"] == "bad_filter"
    assert word in body["detail"]


def test_who_may_read(incidents, people):
    assert client_for(None).get("/api/situation/incidents").status_code == 401
    assert client_for(people.resident).get("/api/situation/incidents").status_code == 403
    assert client_for(people.crew_member).get("/api/situation/incidents").status_code == 403
    assert client_for(people.dispatcher).get("/api/situation/devices").status_code == 200
    assert client_for(None).get("/api/situation/dashboard").status_code == 401


def test_permissions_through_core_can(incidents, people):
    water = incidents[0]
    dispatcher, member, other = people.dispatcher, people.crew_member, people.other_member
    assert can(dispatcher, "situation.incident.dispatch")
    assert not can(member, "situation.incident.dispatch")
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    assert not services.can_view(anonymous) and not services.can_work_on(anonymous, water)
    assert not services.can_work_on(member, water)  # not assigned yet
    services.assign(water.pk, dispatcher, crew_id=people.crew.pk)
    water.refresh_from_db()
    assert services.can_work_on(member, water)
    assert not services.can_work_on(other, water)
    assert services.can_work_on(dispatcher, water)


def test_dispatch_through_the_api(incidents, people):
    water = incidents[0]
    member = client_for(people.crew_member)
    url = f"/api/situation/incidents/{water.pk}/assign"
    body = json.dumps({"crew_id": people.crew.pk})
    assert client_for(None).post(url, body, content_type="application/json").status_code == 401
    # not yet their crew's: the member does not see it, so it is "not found", not "forbidden"
    refused = member.post(url, body, content_type="application/json")
    assert refused.status_code == 404 and json.loads(refused.content)["error"] == "not_found"
    dispatcher = client_for(people.dispatcher)
    bad = dispatcher.post(url, json.dumps({"crew_id": 999}), content_type="application/json")
    assert bad.status_code == 400 and json.loads(bad.content)["error"] == "unknown_crew"
    empty = dispatcher.post(url, "{}", content_type="application/json")
    assert empty.status_code == 400 and json.loads(empty.content)["error"] == "nothing_to_assign"
    ok = dispatcher.post(url, body, content_type="application/json")
    assert ok.status_code == 200
    props = json.loads(ok.content)["properties"]
    assert props["status"] == "assigned" and props["crew"] == people.crew.pk
    assert props["department"] == "water"
    assert OutboxEvent.objects.filter(name="situation.IncidentAssigned").count() == 1

    status_url = f"/api/situation/incidents/{water.pk}/status"
    other = client_for(people.other_member)
    assert other.post(status_url, json.dumps({"status": "in_progress"}),
                      content_type="application/json").status_code == 404  # hidden
    unknown = member.post(status_url, json.dumps({"status": "done"}),
                          content_type="application/json")
    assert unknown.status_code == 400 and "done" in json.loads(unknown.content)["detail"]
    assert member.post(status_url, json.dumps({"status": "in_progress"}),
                       content_type="application/json").status_code == 200
    back = member.post(status_url, json.dumps({"status": "assigned"}),
                       content_type="application/json")
    assert back.status_code == 409 and json.loads(back.content)["error"] == "bad_transition"
    done = member.post(status_url, json.dumps({"status": "resolved", "note": "Засувку замінено"}),
                       content_type="application/json")
    assert done.status_code == 200
    water.refresh_from_db()
    assert water.status == Status.RESOLVED and water.resolved_at is not None
    event = OutboxEvent.objects.get(name="situation.IncidentResolved")
    assert event.payload["incident_id"] == water.pk
    assert event.payload["kind"] == "water"
    assert event.payload["sources"] == water.sources
    assert event.payload["note"] == "Засувку замінено"
    assert event.payload["resolved_at"]
    again = client_for(people.dispatcher).post(url, body, content_type="application/json")
    assert again.status_code == 409


def _png() -> io.BytesIO:
    data = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(data, "PNG")
    data.seek(0)
    data.name = "fix.png"
    return data


def test_crew_page_status_update_with_photo(incidents, people, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    water = incidents[0]
    services.assign(water.pk, people.dispatcher, crew_id=people.crew.pk)
    member = client_for(people.crew_member)
    tasks = member.get("/situation/tasks/")
    assert tasks.status_code == 200 and f'data-incident="{water.pk}"' in tasks.content.decode()
    page = member.get(f"/situation/tasks/{water.pk}/")
    assert page.status_code == 200
    assert water.landmark and water.landmark in page.content.decode()
    assert client_for(people.other_member).get(f"/situation/tasks/{water.pk}/").status_code == 404

    fake = io.BytesIO(b"this is not an image")
    fake.name = "fake.jpg"
    refused = member.post(f"/situation/incidents/{water.pk}/status/",
                          {"status": "in_progress", "photo": fake, "from": "task"},
                          headers={"Accept-Language": "en"})
    assert refused.status_code == 400
    assert "not a readable image" in refused.content.decode()
    water.refresh_from_db()
    assert water.status == Status.ASSIGNED  # nothing half-written

    response = member.post(f"/situation/incidents/{water.pk}/status/",
                           {"status": "in_progress", "note": "На місці", "photo": _png(),
                            "from": "task"})
    assert response.status_code == 302
    update = IncidentUpdate.objects.get(incident=water, status="in_progress")
    assert update.photo and update.note == "На місці"
    photo = member.get(f"/situation/photos/{update.pk}")
    assert photo.status_code == 200
    assert client_for(people.resident).get(f"/situation/photos/{update.pk}").status_code == 404


def test_pages_need_staff(incidents, people):
    for url in ("/situation/", "/situation/dashboard/", "/situation/leadership/",
                "/situation/emergencies/"):
        assert client_for(None).get(url).status_code == 302
        assert client_for(people.crew_member).get(url).status_code == 403
        page = client_for(people.dispatcher).get(url)
        assert page.status_code == 200, url
    page = client_for(people.dispatcher).get(f"/situation/incidents/{incidents[0].pk}/")
    assert page.status_code == 200
    assert f"/situation/incidents/{incidents[0].pk}/assign/" in page.content.decode()
    leadership = client_for(people.dispatcher).get("/situation/leadership/").content.decode()
    assert "situation:assign" not in leadership and "/assign/" not in leadership
    assert client_for(people.dispatcher).get("/situation/incidents/99999/").status_code == 404


def _by_id(collection: dict) -> dict:
    return {f["id"]: f for f in collection["features"]}


def _close(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return abs(float(a) - float(b)) < 1e-6
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def test_database_written_features_equal_the_python_ones(incidents, people):
    services.assign(incidents[1].pk, people.dispatcher, crew_id=people.other_crew.pk)
    flt = services.parse_filter(status="all")
    expected = services.incident_collection(flt)
    stored = json.loads(services.incident_collection_text(flt))  # from Incident.map_json
    assert [f["id"] for f in stored["features"]] == [f["id"] for f in expected["features"]]
    services.forget_map_json()  # now the database renders each Feature in SQL
    rendered = json.loads(services.incident_collection_text(flt))
    for got in (stored, rendered):
        mine, theirs = _by_id(got), _by_id(expected)
        assert mine.keys() == theirs.keys()
        for key in theirs:
            assert _close(mine[key], theirs[key]), (mine[key], theirs[key])


def test_the_cached_map_follows_every_change(incidents, people):
    client = client_for(people.dispatcher)

    def statuses() -> dict[int, str]:
        data = json.loads(client.get("/api/situation/incidents?status=all").content)
        return {f["id"]: f["properties"]["status"] for f in data["features"]}

    water, roads = incidents
    assert statuses() == {water.pk: "open", roads.pk: "open"}
    assert statuses() == {water.pk: "open", roads.pk: "open"}  # served from the cache
    services.assign(water.pk, people.dispatcher, department="water")
    assert statuses() == {water.pk: "assigned", roads.pk: "open"}
    services.ingest_report_created(report_payload(203, 35.17, 47.81))
    assert len(statuses()) == 3


def test_a_hidden_object_answers_exactly_as_a_missing_one(incidents, people, settings,
                                                           tmp_path):
    """Issue 16: no answer tells a user without scope that an id exists. Another crew's
    member and a resident get, for an incident, an emergency and a photo they may not see,
    the same status and byte-for-byte body as for an id that does not exist; only a user
    who sees the object hears "forbidden" for an act on it."""
    settings.MEDIA_ROOT = tmp_path
    water = incidents[0]
    services.assign(water.pk, people.dispatcher, crew_id=people.crew.pk)
    services.change_status(water.pk, people.crew_member, "in_progress", photo=_png())
    photo = IncidentUpdate.objects.get(incident=water, status="in_progress").pk
    emergency = services.declare_emergency(people.dispatcher, title="Аварія").pk
    missing = 10**9
    assign = json.dumps({"department": "roads"})
    status = json.dumps({"status": "resolved"})
    asked = [
        ("get", "/api/situation/incidents/{}", None),
        ("post", "/api/situation/incidents/{}/assign", assign),
        ("post", "/api/situation/incidents/{}/status", status),
        ("get", "/api/situation/emergencies/{}", None),
        ("post", "/api/situation/emergencies/{}/end", None),
        ("get", "/situation/incidents/{}/", None),
        ("post", "/situation/incidents/{}/assign/", {"department": "roads"}),
        ("post", "/situation/incidents/{}/status/", {"status": "resolved", "from": "task"}),
        ("get", "/situation/tasks/{}/", None),
        ("get", "/situation/photos/{}", None),
    ]
    existing = {"emergencies": emergency, "photos": photo}
    staff_only = {"/api/situation/emergencies/{}"}
    for user in (people.other_member, people.resident):
        client = client_for(user)
        for method, url, body in asked:
            hidden_id = next((v for k, v in existing.items() if f"/{k}/" in url), water.pk)
            answers = []
            for object_id in (hidden_id, missing):
                call = getattr(client, method)
                path = url.format(object_id)
                if isinstance(body, str):
                    response = call(path, body, content_type="application/json")
                else:
                    response = call(path, body or {})
                answers.append((response.status_code, response.content))
            assert answers[0] == answers[1], (user.username, url)
            # behind the staff router's gate, non-staff hear 403 before any id is looked at
            want = (403, "forbidden") if url in staff_only else (404, "not_found")
            assert answers[0][0] == want[0], (user.username, url, answers[0])
            if url.startswith("/api/"):
                assert json.loads(answers[0][1])["error"] == want[1]
    # who sees the incident but may not dispatch it is told so
    member = client_for(people.crew_member)
    refused = member.post(f"/api/situation/incidents/{water.pk}/assign", assign,
                          content_type="application/json")
    assert refused.status_code == 403 and json.loads(refused.content)["error"] == "forbidden"
    assert member.get(f"/situation/photos/{photo}").status_code == 200
    water.refresh_from_db()
    assert water.status == Status.IN_PROGRESS and water.department == "water"


def test_the_kept_map_equals_a_fresh_rendering_after_each_change(incidents, people):
    """The map kept per process follows the change log: after every kind of change its
    plain and gzip answers equal the collection rendered from the database."""
    import gzip

    from misto.situation.services import mapstate

    mapstate.reset()
    flt = services.parse_filter(status="active")

    def same() -> None:
        expected = services.incident_collection_text(flt).encode()
        assert services.map_body(flt) == expected
        assert gzip.decompress(services.map_gzip(flt)) == expected

    same()
    water, roads = incidents
    services.assign(water.pk, people.dispatcher, department="water")
    same()
    services.ingest_report_created(report_payload(204, 35.17, 47.81))
    same()
    services.change_status(roads.pk, people.dispatcher, "resolved", note="done")
    same()  # resolved: no longer active, gone from the map
    Incident.objects.filter(pk=water.pk).update(title="renamed without a change")
    services.forget_map_json(pk=water.pk)  # no change-log entry: rebuilt anyway
    same()
    assert json.loads(services.map_text(flt))["features"][-1]["properties"]["title"] \
        == "renamed without a change"
