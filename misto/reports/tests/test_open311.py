"""Open311 GeoReport v2: the spec's shapes in JSON and XML, its errors, and real clients."""

from __future__ import annotations

import io
from xml.etree import ElementTree

import pytest
import requests
from django.core.management import CommandError, call_command
from django.core.management.base import OutputWrapper
from georeport import GeoReport

from misto.core.models import OutboxEvent
from misto.reports import services
from misto.reports.models import ApiKey, Report, Status
from misto.reports.tests.conftest import jpeg

BASE = "/open311/v2"


@pytest.fixture
def key(db) -> str:
    out = io.StringIO()
    call_command("open311", "create-key", "Test app", stdout=out)
    return out.getvalue().strip()


def xml(response) -> ElementTree.Element:
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ElementTree.fromstring(response.content)


def test_create_key_stores_only_a_hash(key):
    row = ApiKey.objects.get()
    assert len(key) > 30 and key not in row.key_hash and row.prefix == key[:8]
    assert services.check_api_key(key) == row
    with pytest.raises(CommandError):
        call_command("open311", "create-key", "  ", stdout=OutputWrapper(io.StringIO()))
    with pytest.raises(CommandError, match=r"(code in the city directory|кодом у довіднику)"):
        call_command("open311", "create-key", "App", "--organisation", "Допомога ГО",
                     stdout=OutputWrapper(io.StringIO()))
    assert ApiKey.objects.count() == 1


def test_discovery(client, db):
    data = client.get(f"{BASE}/discovery.json").json()
    endpoint = data["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    root = xml(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == [
        "text/xml", "application/json"]


def test_services_and_definition(client, city):
    services_json = client.get(f"{BASE}/services.json").json()
    light = next(s for s in services_json if s["service_code"] == "streetlight-out")
    assert light == {"service_code": "streetlight-out", "service_name": "Не світить ліхтар",
                     "description": "Не світить ліхтар", "metadata": True, "type": "realtime",
                     "keywords": "", "group": "Освітлення"}
    assert not any(s["service_code"] == "lighting" for s in services_json)  # groups
    root = xml(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services" and len(root.findall("service")) == len(services_json)
    definition = client.get(f"{BASE}/services/pole-damaged.json").json()
    assert definition["service_code"] == "pole-damaged"
    attribute = definition["attributes"][0]
    assert attribute["code"] == "wires" and attribute["required"] is True
    assert attribute["datatype"] == "singlevaluelist" and attribute["variable"] is True
    assert attribute["values"] == [{"key": "yes", "name": "Так"}, {"key": "no", "name": "Ні"}]
    root = xml(client.get(f"{BASE}/services/pole-damaged.xml"))
    assert root.tag == "service_definition"
    assert root.find("attributes/attribute/values/value/key").text == "yes"
    assert root.find("attributes/attribute/required").text == "true"
    english = client.get(f"{BASE}/services.json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert any(s["service_name"] == "Streetlight out" for s in english)


def post(client, key, **data):
    base = {"api_key": key, "service_code": "streetlight-out", "lat": "47.8201",
            "long": "35.1302", "description": "Не світить", "attribute[how_many]": "3"}
    base.update(data)
    return client.post(f"{BASE}/requests.json", {k: v for k, v in base.items() if v is not None},
                       HTTP_ACCEPT_LANGUAGE="en")


def test_post_then_get(client, city, key):
    response = post(client, key, email="ivan@example.org", first_name="Іван",
                    phone="+380671234567", account_id="acc-1")
    assert response.status_code == 200, response.content
    created = response.json()[0]
    report = Report.objects.get(public_id=created["service_request_id"])
    assert report.channel == "open311" and report.attributes == {"how_many": 3}
    assert report.contact.email == "ivan@example.org" and report.contact.name == "Іван"
    assert created["account_id"] == "acc-1"
    token = client.get(f"{BASE}/tokens/{created['token']}.json").json()
    assert token == [{"service_request_id": report.public_id, "token": created["token"]}]
    one = client.get(f"{BASE}/requests/{report.public_id}.json").json()
    assert len(one) == 1
    item = one[0]
    assert item["service_request_id"] == report.public_id and item["status"] == "open"
    assert item["service_code"] == "streetlight-out" and item["agency_responsible"]
    assert abs(item["lat"] - 47.8201) < 1e-6 and abs(item["long"] - 35.1302) < 1e-6
    assert item["requested_datetime"].endswith("+00:00")
    assert "ivan" not in str(one) and "380671234567" not in str(one)  # contact stays private
    root = xml(client.get(f"{BASE}/requests/{report.public_id}.xml"))
    assert root.tag == "service_requests"
    assert root.find("request/service_request_id").text == report.public_id
    event = OutboxEvent.objects.get(name="reports.ReportCreated")
    assert event.payload["channel"] == "open311"
    assert "ivan" not in str(event.payload)


def test_post_xml_with_address_id_landmark_and_media(client, city, key):
    response = client.post(f"{BASE}/requests.xml", {
        "api_key": key, "service_code": "pole-damaged", "address_id": city.landmarks[2],
        "attribute[wires]": "yes",
        "media": io.BytesIO(jpeg()),
    })
    assert response.status_code == 200, response.content
    root = xml(response)
    report = Report.objects.get(public_id=root.find("request/service_request_id").text)
    assert report.landmark == city.landmarks[2] and report.district == city.east
    assert report.photos.count() == 1
    assert report.description == ""


def test_multivalue_attribute(client, city, key):
    response = client.post(f"{BASE}/requests.json", {
        "api_key": key, "service_code": "bin-full", "lat": "47.8201", "long": "35.1302",
        "attribute[kind][]": ["plastic", "glass"]})
    assert response.status_code == 200, response.content
    assert Report.objects.get().attributes == {"kind": ["plastic", "glass"]}


@pytest.mark.parametrize("data,status,words", [
    ({"api_key": None}, 403, "api_key is required"),
    ({"api_key": "wrong"}, 403, "not valid"),
    ({"service_code": "nope"}, 400, "no category “nope”"),
    ({"service_code": None}, 400, "service_code is required"),
    ({"lat": "47.82", "long": "36.5"}, 400, "outside the city"),
    ({"lat": None, "long": None}, 400, "location is required"),
    ({"attribute[how_many]": None}, 400, "required question"),
    ({"attribute[how_many]": "lots"}, 400, "must be a number"),
    ({"jurisdiction_id": "elsewhere"}, 404, "Unknown jurisdiction_id"),
])
def test_post_errors_use_the_spec_format_and_save_nothing(client, city, key, data, status,
                                                          words):
    response = post(client, key, **data)
    assert response.status_code == status
    errors = response.json()
    assert isinstance(errors, list) and errors[0]["code"] == status
    assert any(words in e["description"] for e in errors), errors
    assert not Report.objects.exists()


def test_photo_errors(client, city, key, settings):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = post(client, key, media=io.BytesIO(b"GIF89a not really"))
    assert response.status_code == 400
    assert "not a JPEG, PNG or WebP" in response.json()[0]["description"]
    settings.MISTO_REPORTS_MAX_PHOTO_BYTES = 500
    response = client.post(f"{BASE}/requests.xml", {
        "api_key": key, "service_code": "streetlight-out", "lat": "47.8201",
        "long": "35.1302", "attribute[how_many]": "1", "media": io.BytesIO(jpeg((300, 300)))})
    assert response.status_code == 400
    root = xml(response)
    assert root.tag == "errors" and root.find("error/code").text == "400"
    assert "MB" in root.find("error/description").text
    assert not Report.objects.exists()


def test_errors_in_ukrainian_by_default(client, city, key):
    response = client.post(f"{BASE}/requests.json", {"api_key": key, "service_code": "nope",
                                                     "lat": "47.8201", "long": "35.1302"})
    assert response.status_code == 400
    assert "Категорії «nope» немає" in response.json()[0]["description"]


def test_get_errors(client, city):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert client.get(f"{BASE}/requests/1999-000001.json").status_code == 404
    assert client.get(f"{BASE}/services/nope.xml").status_code == 404
    assert client.get(f"{BASE}/tokens/not-a-token.json").json()[0]["code"] == 404
    response = client.get(f"{BASE}/services.csv")
    assert response.status_code == 404 and "format" in response.json()[0]["description"]
    response = client.get(f"{BASE}/requests.json", {"start_date": "yesterday"})
    assert response.status_code == 400 and "start_date" in response.json()[0]["description"]
    response = client.get(f"{BASE}/requests.json", {"start_date": "2026-01-01T00:00:00Z",
                                                    "end_date": "2026-06-01T00:00:00Z"})
    assert response.status_code == 400 and "90 days" in response.json()[0]["description"]
    assert client.get(f"{BASE}/requests.json", {"status": "pending"}).status_code == 400


def test_get_requests_filters(client, city, clerk):
    a = services.submit(services.Submission(category="streetlight-out", description="a",
                                            landmark=city.landmarks[0],
                                            attributes={"how_many": "1"}))
    b = services.submit(services.Submission(category="pothole", description="b",
                                            landmark=city.landmarks[2],
                                            attributes={"size": "small"}))
    services.change_status(a.pk, clerk, Status.RESOLVED, "done")

    def ids(**params):
        return {r["service_request_id"] for r in
                client.get(f"{BASE}/requests.json", params).json()}

    assert ids() == {a.public_id, b.public_id}
    assert ids(status="open") == {b.public_id}
    assert ids(status="closed") == {a.public_id}
    assert ids(status="open,closed") == {a.public_id, b.public_id}
    assert ids(service_code="pothole") == {b.public_id}
    assert ids(service_code="pothole,streetlight-out") == {a.public_id, b.public_id}
    assert ids(service_request_id=a.public_id, status="open") == {a.public_id}
    assert ids(start_date="2020-01-01T00:00:00Z", end_date="2020-02-01T00:00:00Z") == set()
    assert ids(page_size="1") | ids(page_size="1", page="2") == {a.public_id, b.public_id}
    resolved = client.get(f"{BASE}/requests/{a.public_id}.json").json()[0]
    assert resolved["status"] == "closed" and resolved["status_notes"] == "done"


@pytest.mark.django_db(transaction=True)
def test_georeport_client_unchanged(live_server, city, clerk):
    """The PyPI ``georeport`` client reads services, definitions and requests, in JSON and
    XML; discovery and POST go through plain HTTP built from the spec's examples."""
    root = f"{live_server.url}/open311/v2"
    discovery = requests.get(f"{root}/discovery.json", timeout=10).json()
    assert discovery["endpoints"][0]["url"] == root
    key = services.create_api_key("client test")[1]
    # The spec's POST example: form-encoded, attribute[code]=value.
    posted = requests.post(f"{root}/requests.json", data={
        "api_key": key, "service_code": "streetlight-out", "lat": "47.8201",
        "long": "35.1302", "address_string": "", "email": "a@example.org",
        "device_id": "tt222111", "account_id": "123456", "first_name": "Олена",
        "last_name": "Коваль", "phone": "111111111", "description": "Ліхтар не світить",
        "media_url": "http://example.org/photo.jpg", "attribute[how_many]": "2",
    }, timeout=10)
    assert posted.status_code == 200, posted.text
    request_id = posted.json()[0]["service_request_id"]
    for fmt in ("json", "xml"):
        client = GeoReport(root, jurisdiction="misto", output_format=fmt)
        listed = client.get_service_list()
        codes = {s["service_code"] for s in listed}
        assert {"streetlight-out", "pothole", "tree-fallen"} <= codes
        definition = client.get_service_definition("streetlight-out")
        assert definition["service_code"] == "streetlight-out"
        found = client.get_service_requests(service_code="streetlight-out", status="open")
        if fmt == "xml":  # xmltodict gives a dict for a single item
            found = [found] if isinstance(found, dict) else found
        assert [r["service_request_id"] for r in found] == [request_id]
        one = client.get_service_request(request_id)
        assert one["service_request_id"] == request_id
        assert one["media_url"] == "http://example.org/photo.jpg"
        assert str(one["status"]) == "open"
    report = Report.objects.get(public_id=request_id)
    services.change_status(report.pk, clerk, Status.ACCEPTED)
    client = GeoReport(root, output_format="json")
    assert client.get_service_requests(status="closed") == []
    bad = GeoReport(root, jurisdiction="elsewhere")
    with pytest.raises(requests.HTTPError):
        bad.get_service_list()


def test_post_by_address_string(client, city, key):
    response = post(client, key, lat=None, long=None, address_string="Шевченка 12")
    assert response.status_code == 200, response.content
    report = Report.objects.get()
    assert report.district == city.east and report.address == "Шевченка 12"
    response = post(client, key, lat=None, long=None, address_string="Неіснуюча 999")
    assert response.status_code == 400 and "not found" in response.json()[0]["description"]
    assert Report.objects.count() == 1
