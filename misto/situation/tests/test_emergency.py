"""Emergency mode: a district or an area groups incidents, shows the affected buildings and
the shelters nearby, and tells the public outage map."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from misto.core.models import OutboxEvent
from misto.situation import services
from misto.situation.models import Emergency, Incident
from misto.situation.tests.conftest import (
    EAST_DISTRICT,
    ON_SHEVCHENKA,
    WEST_DISTRICT,
    report_payload,
)

pytestmark = pytest.mark.django_db

AREA = {"type": "Polygon", "coordinates": [[[35.128, 47.819], [35.134, 47.819], [35.134, 47.823],
                                            [35.128, 47.823], [35.128, 47.819]]]}


def test_declare_by_area_groups_incidents_and_finds_buildings_and_shelters(city, people):
    inside = services.ingest_report_created(report_payload(601, *ON_SHEVCHENKA,
                                                           category="heating"))
    outside = services.ingest_report_created(report_payload(602, 35.17, 47.8202,
                                                            category="heating"))
    client = Client()
    client.force_login(people.dispatcher)
    response = client.post("/api/situation/emergencies", json.dumps({
        "title": "Порив тепломагістралі", "kind": "heating", "area": AREA}),
        content_type="application/json")
    assert response.status_code == 201, response.content
    data = json.loads(response.content)
    assert data["incidents"] == [inside.pk]
    assert data["building_count"] == 3
    names = [s["name"] for s in data["shelters"]]
    assert names[0] == "Укриття № 1"
    event = OutboxEvent.objects.get(name="situation.EmergencyDeclared")
    assert event.payload["emergency_id"] == data["id"]
    assert event.payload["area_geojson"]["type"] == "Polygon"
    assert event.payload["building_count"] == 3
    outside.refresh_from_db()
    assert outside.emergency_id is None
    # A new incident inside the area joins the emergency by itself.
    later = services.ingest_report_created(report_payload(603, 35.1330, 47.8215,
                                                          category="pothole"))
    assert later.emergency_id == data["id"]
    page = client.get(f"/situation/emergencies/{data['id']}/")
    assert page.status_code == 200
    assert 'data-figure="buildings">3<' in page.content.decode()


def test_declare_by_district_and_city_wide(city, people):
    west = services.ingest_report_created(report_payload(604, *ON_SHEVCHENKA))
    east = services.ingest_report_created(report_payload(605, 35.17, 47.8202))
    by_district = services.declare_emergency(people.dispatcher, title="Негода",
                                             districts=[EAST_DISTRICT])
    assert list(by_district.incidents.all()) == [Incident.objects.get(pk=east.pk)]
    assert services.affected_buildings(by_district)[0] == 1
    city_wide = services.declare_emergency(people.dispatcher, title="Блекаут")
    assert list(city_wide.incidents.all()) == [Incident.objects.get(pk=west.pk)]
    services.end_emergency(city_wide.pk, people.dispatcher)
    assert OutboxEvent.objects.filter(name="situation.EmergencyEnded").count() == 1
    assert WEST_DISTRICT not in by_district.districts


@pytest.mark.parametrize("payload, code", [
    ({"title": ""}, "invalid"),
    ({"title": "x", "districts": ["UA000"]}, "bad_area"),
    ({"title": "x", "area": {"type": "Point", "coordinates": [35.1, 47.8]}}, "bad_area"),
    ({"title": "x", "area": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1],
                                                                 [0, 0]]]}}, "bad_area"),
    ({"title": "x", "area": {"type": "Polygon", "coordinates": "nope"}}, "bad_area"),
])
def test_bad_declarations_are_refused_and_change_nothing(city, people, payload, code):
    client = Client()
    client.force_login(people.dispatcher)
    response = client.post("/api/situation/emergencies", json.dumps(payload),
                           content_type="application/json")
    assert response.status_code == 400, response.content
    assert json.loads(response.content)["error"] == code
    assert not Emergency.objects.exists()


def test_only_dispatchers_declare(city, people):
    member = Client()
    member.force_login(people.crew_member)
    response = member.post("/api/situation/emergencies", json.dumps({"title": "x"}),
                           content_type="application/json")
    assert response.status_code == 403


def _open_shelter(name: str, status: str = "open") -> None:
    from misto.twin import builtin
    from misto.twin import services as twin_services
    from misto.twin.models import Feature

    feature = Feature.objects.get(layer__code=builtin.SHELTERS, name=name, retired_at=None)
    twin_services.change_feature(feature.pk, properties={**feature.properties, "status": status})


def test_emergency_shows_shelter_status_and_the_walk_to_the_nearest_open_one(city, people):
    _open_shelter("Укриття № 1")
    _open_shelter("Укриття № 2", "closed")
    client = Client()
    client.force_login(people.dispatcher)
    data = json.loads(client.post("/api/situation/emergencies", json.dumps({
        "title": "Обстріл", "kind": "other", "area": AREA}),
        content_type="application/json").content)
    statuses = {s["name"]: s["status"] for s in data["shelters"]}
    assert statuses == {"Укриття № 1": "open", "Укриття № 2": "closed"}
    walks = client.get(f"/api/situation/emergencies/{data['id']}/walks")
    assert walks.status_code == 200, walks.content
    body = json.loads(walks.content)
    assert [s["name"] for s in body["shelters"]] == ["Укриття № 1"]
    walk = body["shelters"][0]
    assert walk["distance_m"] >= walk["straight_m"] > 0
    assert walk["route"]["type"] == "LineString"
    assert walk["steps"] and walk["duration_s"] > 0
    # From a landmark number the operator types; a bad place is refused with the reason.
    from misto.twin.models import Feature
    number = Feature.objects.filter(number__gt="").values_list("number", flat=True).first()
    by_number = json.loads(client.get(f"/api/situation/emergencies/{data['id']}/walks",
                                      {"q": number}).content)
    assert by_number["start"]["label"].endswith(number)
    outside = client.get(f"/api/situation/emergencies/{data['id']}/walks",
                         {"lon": 30.5, "lat": 50.45})
    assert outside.status_code == 400
    page = client.get(f"/situation/emergencies/{data['id']}/", {"q": number},
                      HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Nearest open shelters on foot" in html and ">closed<" in html
    assert '"routes"' in html and '"best": true' in html


def test_city_wide_emergency_asks_where_to_walk_from(city, people):
    _open_shelter("Укриття № 1")
    client = Client()
    client.force_login(people.dispatcher)
    data = json.loads(client.post("/api/situation/emergencies", json.dumps({
        "title": "Тривога", "kind": "other"}), content_type="application/json").content)
    nothing = json.loads(client.get(f"/api/situation/emergencies/{data['id']}/walks").content)
    assert nothing == {"start": None, "shelters": []}
    found = json.loads(client.get(f"/api/situation/emergencies/{data['id']}/walks",
                                  {"lon": ON_SHEVCHENKA[0], "lat": ON_SHEVCHENKA[1]}).content)
    assert [s["name"] for s in found["shelters"]] == ["Укриття № 1"]
