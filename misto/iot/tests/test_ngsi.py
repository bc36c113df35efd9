"""The NGSI-LD subset: entities by type/id/q/near, one entity, temporal values, errors."""

import pytest
from django.test import Client

from misto.iot.storage import store_readings
from misto.iot.tests.conftest import at

pytestmark = pytest.mark.django_db

AQ = "urn:ngsi-ld:AirQualityObserved:aq-t1"


@pytest.fixture
def filled(devices):
    store_readings([(devices["aq"].pk, "pm25", at(i), 10.0 + i) for i in range(5)]
                   + [(devices["aq"].pk, "temperature", at(4), 3.5),
                      (devices["bin"].pk, "fillingLevel", at(2), 80.0),
                      (devices["water"].pk, "pressure", at(3), 3.1)])
    return devices


def get(path, params=None, **headers):
    return Client().get(f"/ngsi-ld/v1/{path}", params or {}, **headers)


def test_entities_by_type_in_ngsi_ld_shape(filled):
    response = get("entities", {"type": "AirQualityObserved"})
    assert response.status_code == 200
    assert "ngsi-ld-core-context" in response["Link"]
    [entity] = response.json()
    assert entity["id"] == AQ and entity["type"] == "AirQualityObserved"
    assert entity["pm25"]["type"] == "Property" and entity["pm25"]["value"] == 14.0
    assert entity["pm25"]["observedAt"].endswith("Z") and entity["pm25"]["unitCode"] == "GQ"
    assert entity["location"] == {"type": "GeoProperty", "value": {
        "type": "Point", "coordinates": [pytest.approx(35.16), pytest.approx(47.84)]}}
    ld = get("entities", {"type": "AirQualityObserved"}, HTTP_ACCEPT="application/ld+json")
    assert ld["Content-Type"] == "application/ld+json" and "@context" in ld.json()[0]
    simple = get("entities", {"type": "WasteContainer", "options": "keyValues"}).json()
    assert simple[0]["fillingLevel"] == 80.0


def test_q_filter_georel_and_paging(filled):
    ids = {e["id"] for e in get("entities", {"q": "pm25>12"}).json()}
    assert ids == {AQ}
    ids = {e["id"] for e in get("entities", {"q": "pm25>100|fillingLevel>=80"}).json()}
    assert ids == {"urn:ngsi-ld:WasteContainer:bin-t1"}
    ids = {e["id"] for e in get("entities", {"q": "pressure==3..4;name~=\"Water\""}).json()}
    assert ids == {"urn:ngsi-ld:WaterConsumptionObserved:water-t1"}
    near = get("entities", {"georel": "near;maxDistance==200", "geometry": "Point",
                            "coordinates": "[35.1601,47.8401]"}).json()
    assert [e["id"] for e in near] == [AQ, "urn:ngsi-ld:WasteContainer:bin-t1"]
    far = get("entities", {"georel": "near;minDistance==1000", "geometry": "Point",
                           "coordinates": "[35.1605,47.8405]"}).json()
    assert [e["id"] for e in far] == ["urn:ngsi-ld:WaterConsumptionObserved:water-t1"]
    every = "AirQualityObserved,WasteContainer,WaterConsumptionObserved"
    page = get("entities", {"type": every, "limit": 1, "offset": 1, "count": "true"})
    assert len(page.json()) == 1 and page["NGSILD-Results-Count"] == "3"
    assert get("entities", {"id": AQ, "attrs": "pm25"}).json() == [
        {k: v for k, v in get(f"entities/{AQ}").json().items() if k in {"id", "type", "pm25"}}]


def test_entity_and_temporal(filled):
    entity = get(f"entities/{AQ}").json()
    assert entity["temperature"]["value"] == 3.5
    temporal = get(f"temporal/entities/{AQ}", {"timerel": "between",
                                               "timeAt": at(1).isoformat(),
                                               "endTimeAt": at(4).isoformat(),
                                               "attrs": "pm25"}).json()
    assert [i["value"] for i in temporal["pm25"]] == [11.0, 12.0, 13.0]
    assert "temperature" not in temporal
    values = get(f"temporal/entities/{AQ}", {"lastN": "2", "options": "temporalValues"}).json()
    assert [v[0] for v in values["pm25"]["values"]] == [13.0, 14.0]
    after = get(f"temporal/entities/{AQ}", {"timerel": "after",
                                            "timeAt": at(3).isoformat()}).json()
    assert [i["value"] for i in after["pm25"]] == [14.0]


@pytest.mark.parametrize(("path", "params", "status", "kind"), [
    ("entities", {}, 400, "BadRequestData"),
    ("entities", {"type": "X", "q": "pm25>>1"}, 400, "BadRequestData"),
    ("entities", {"type": "X", "q": "pm25>abc"}, 400, "BadRequestData"),
    ("entities", {"type": "X", "limit": "5000"}, 400, "BadRequestData"),
    ("entities", {"georel": "near;maxDistance==x", "geometry": "Point",
                  "coordinates": "[1,2]"}, 400, "BadRequestData"),
    ("entities", {"georel": "near;maxDistance==10", "geometry": "Point",
                  "coordinates": "[1]"}, 400, "BadRequestData"),
    ("entities", {"georel": "within", "geometry": "Polygon", "coordinates": "[]"}, 422,
     "OperationNotSupported"),
    ("entities", {"type": "X", "idPattern": "("}, 400, "BadRequestData"),
    ("entities/not-an-urn", {}, 400, "BadRequestData"),
    (f"entities/{AQ}x", {}, 404, "ResourceNotFound"),
    (f"temporal/entities/{AQ}", {"timerel": "between", "timeAt": "2026-01-01T00:00:00Z"},
     400, "BadRequestData"),
    (f"temporal/entities/{AQ}", {"timerel": "during"}, 400, "BadRequestData"),
])
def test_errors_are_problem_details(filled, path, params, status, kind):
    response = get(path, params)
    assert response.status_code == status
    body = response.json()
    assert body["type"] == f"https://uri.etsi.org/ngsi-ld/errors/{kind}"
    assert body["title"] and body["detail"]
