"""The portal over the demo city: what is published, that nothing personal is, the CKAN
Action API through ckanapi, bad input, the DCAT-AP catalogue against the SHACL shapes,
withdrawal, and the pages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from ckanapi import NotFound, RemoteCKAN, ValidationError
from ckanapi.errors import CKANAPIError, SearchQueryError
from django.test import Client
from pyshacl import validate
from rdflib import Graph

from misto.core import outbox
from misto.core.models import OutboxEvent
from misto.opendata import services
from misto.opendata.models import Dataset, Resource, State
from misto.opendata.tasks import regenerate_stale
from misto.residents.demo import PEOPLE, demo_rnokpp
from misto.residents.models import Person
from misto.testing import make_staff

pytestmark = pytest.mark.django_db
SHAPES = Path(__file__).parent / "shapes"
DECLARED = {"appeals-statistics", "city-progress-index", "directory", "districts",
            "incidents-resolved", "landmarks",
            "ledger", "outages-and-announcements", "petitions", "reports", "sensor-devices",
            "sensor-readings-hourly", "shelters", "streets"}


def _datastore_id(dataset: str, table: str) -> str:
    return str(Resource.objects.get(dataset__name=dataset, table=table, format="CSV").pk)


def test_the_demo_publishes_every_declared_dataset_typed(demo: None) -> None:
    assert set(Dataset.objects.values_list("name", flat=True)) >= DECLARED
    shelters = Resource.objects.get(dataset__name="shelters", format="GeoJSON")
    collection = json.loads(shelters.content)
    assert collection["type"] == "FeatureCollection" and collection["features"]
    assert collection["features"][0]["geometry"]["type"] == "Point"
    csv = Resource.objects.get(dataset__name="shelters", format="CSV")
    assert csv.content.splitlines()[0] == "id,name,name_en,kind,capacity,address,accessible,hours"
    capacity = next(field for field in csv.schema["fields"] if field["name"] == "capacity")
    assert capacity == {"name": "capacity", "type": "integer", "title": "Місткість",
                        "description": "Capacity", "unit": "persons"}
    assert OutboxEvent.objects.filter(name="opendata.DatasetPublished").count() >= 7
    # The index computes its values after the portal's demo has published (it counts the
    # portal's datasets): its index.ValuesComputed marked its dataset stale, and the
    # regeneration the handler queued publishes the values.
    assert "city-progress-index" in services.stale()
    regenerate_stale.call()
    index = Resource.objects.get(dataset__name="city-progress-index", table="values",
                                 format="CSV")
    assert len(index.content.splitlines()) > 100
    # The demo's events, delivered after it, changed some (the ledger's entries); once
    # caught up, a run with nothing changed makes no new version.
    services.regenerate()
    assert set(services.regenerate().values()) == {"unchanged"}


def test_no_personal_data_in_any_published_file(demo: None) -> None:
    """Every file, every datastore row and the catalogue, scanned for the demo residents'
    names, phones, e-mails and RNOKPP (the register's people, the demo population too)."""
    needles = set()
    for index, (last, first, *_rest) in enumerate(PEOPLE):
        needles |= {f"{first} {last}", f"{last} {first}", demo_rnokpp(index)}
    for person in Person.objects.all():
        needles |= {f"{person.first_name} {person.last_name}",
                    f"{person.last_name} {person.first_name}", person.rnokpp}
        needles |= {value for value in (person.phone, person.email) if value}
        needles |= {person.phone.removeprefix("+")} if person.phone else set()
    assert len(needles) > 20
    texts = [resource.content for resource in Resource.objects.all()]
    texts += [json.dumps(list(Resource.objects.values_list("rows_set__data", flat=True)),
                         ensure_ascii=False)]
    texts += [Client().get(f"/catalog.{ext}").content.decode() for ext in ("ttl", "jsonld")]
    for text in texts:
        found = [needle for needle in needles if needle and needle in text]
        assert not found, found


def test_a_report_resolved_appears_after_the_next_regeneration(demo: None) -> None:
    from misto.reports.models import Report, Status
    from misto.reports.services.queue import change_status

    report = (Report.objects.filter(hidden=False, public_id__isnull=False,
                                    status=Status.NEW, department__isnull=False)
              .select_related("author").first())
    assert report is not None
    before = Dataset.objects.get(name="reports").version
    assert report.department is not None
    clerk = make_staff("od-clerk", "clerk", department=report.department.code)
    note = "Замінив лампу; телефонуйте Сидоренку, +380671234567"
    change_status(report.pk, clerk, Status.RESOLVED, note)
    while outbox.deliver_due(limit=5000):  # its ReportStatusChanged marks the dataset stale
        pass
    assert "reports" in services.stale()
    assert regenerate_stale.call()["reports"] == f"version {before + 1}"
    rows = json.loads(Resource.objects.get(dataset__name="reports", table="reports",
                                           format="JSON").content)
    mine = next(row for row in rows if row["number"] == report.public_id)
    assert mine["status"] == "resolved"
    assert set(mine) == {"number", "category", "category_title", "status", "district",
                         "district_name", "reported_on", "closed_on", "cell_lon", "cell_lat"}
    # The place is a grid cell's centre, not the report's point.
    assert (mine["cell_lon"], mine["cell_lat"]) != (report.location.x, report.location.y)
    assert abs(mine["cell_lon"] - report.location.x) <= 0.0025 + 1e-9
    published = "".join(Resource.objects.filter(dataset__name="reports")
                        .values_list("content", flat=True))
    assert "Сидоренк" not in published and "380671234567" not in published
    author = report.author
    if author is not None and author.last_name:
        assert author.last_name not in published
    counts = json.loads(Resource.objects.get(dataset__name="reports", table="counts",
                                             format="JSON").content)
    assert all(row["reports"] is None or row["reports"] >= 3 for row in counts)
    assert any(row["reports"] is None for row in counts)  # small counts are suppressed


def test_ckanapi_lists_searches_and_reads(demo: None, ckan: RemoteCKAN,
                                          ckan_get: RemoteCKAN) -> None:
    for client in (ckan, ckan_get):
        assert set(client.action.package_list()) >= DECLARED
        found = client.action.package_search(q="УКРИТТЯ безбар'єрність", rows=5,
                                             **{"facet.field": ["tags", "organization"]})
        assert [result["name"] for result in found["results"]] == ["shelters"]
        assert found["facets"]["organization"] == {"civil-protection": 1}
    package = ckan.action.package_show(id="petitions")
    assert package["license_id"] == "CC-BY-4.0" and package["num_resources"] == 2
    assert ckan.action.package_show(id=package["id"])["name"] == "petitions"
    assert {"architecture", "council"} <= set(ckan.action.organization_list())
    assert ckan.action.organization_show(id="council")["package_count"] >= 2
    assert "gove" in ckan.action.group_list()
    assert "укриття" in ckan.action.tag_list()
    assert ckan.action.tag_list(query="УКРИТ") == ["укриття"]
    assert ckan.action.status_show()["ckan_version"]
    filtered = ckan.action.package_search(fq='organization:council +tags:"петиції"')
    assert [result["name"] for result in filtered["results"]] == ["petitions"]
    paged = ckan.action.package_search(rows=2, start=2, sort="name asc")
    assert paged["count"] >= 7 and [result["name"] for result in paged["results"]] == \
        sorted(DECLARED)[2:4]
    resource = ckan.action.resource_show(id=package["resources"][0]["id"])
    assert resource["datastore_active"] is True and resource["format"] == "CSV"


def test_ckanapi_datastore_search(demo: None, ckan: RemoteCKAN) -> None:
    resource_id = _datastore_id("reports", "reports")
    everything = ckan.action.datastore_search(resource_id=resource_id, limit=1000)
    assert everything["total"] == len(everything["records"]) > 5
    new = ckan.action.datastore_search(resource_id=resource_id, filters={"status": "new"},
                                       fields=["number", "status"], sort="number desc",
                                       limit=2, offset=1)
    assert new["total"] == sum(1 for row in everything["records"] if row["status"] == "new")
    assert [set(row) for row in new["records"]] == [{"_id", "number", "status"}] * 2
    numbers = sorted((row["number"] for row in everything["records"]
                      if row["status"] == "new"), reverse=True)
    assert [row["number"] for row in new["records"]] == numbers[1:3]
    assert {field["id"]: field["type"] for field in new["fields"]} == {
        "_id": "int", "number": "text", "status": "text"}
    word = everything["records"][0]["category_title"].split()[0]
    found = ckan.action.datastore_search(resource_id=resource_id, q=word)
    assert 0 < found["total"] <= everything["total"]
    counts_id = _datastore_id("reports", "counts")
    counted = ckan.action.datastore_search(resource_id=counts_id, limit=1000)["records"]
    some = next(row["reports"] for row in counted if row["reports"] is not None)
    typed = ckan.action.datastore_search(resource_id=counts_id, filters={"reports": str(some)})
    assert typed["total"] == sum(1 for row in counted if row["reports"] == some)
    with pytest.raises(ValidationError):
        ckan.action.datastore_search(resource_id=counts_id, filters={"reports": "many"})
    quick = ckan.action.datastore_search(resource_id=resource_id, filters={"status": "new"},
                                         include_total=False, limit=2)
    assert "total" not in quick and len(quick["records"]) == 2
    with pytest.raises(ValidationError):
        ckan.action.datastore_search(resource_id=resource_id, include_total="maybe")
    sql = ckan.action.datastore_search_sql(
        sql=f'SELECT number FROM "{resource_id}" WHERE status = \'new\' ORDER BY number LIMIT 3')
    assert [row["number"] for row in sql["records"]] == sorted(numbers)[:3]


@pytest.mark.parametrize(("action", "params", "status", "kind"), [
    ("package_show", {"id": "no-such"}, 404, "Not Found Error"),
    ("package_show", {}, 409, "Validation Error"),
    ("package_search", {"fq": "secret:1"}, 409, "Search Query Error"),
    ("package_search", {"fq": "tags:a OR (b"}, 409, "Search Query Error"),
    ("package_search", {"rows": "1001"}, 409, "Validation Error"),
    ("package_search", {"rows": "many"}, 409, "Validation Error"),
    ("package_search", {"sort": "password desc"}, 409, "Validation Error"),
    ("package_search", {"facet.field": "[not json"}, 409, "Validation Error"),
    ("datastore_search", {"resource_id": "999999"}, 404, "Not Found Error"),
    ("datastore_search", {"resource_id": "RID", "limit": "40000"}, 409, "Validation Error"),
    ("datastore_search", {"resource_id": "RID", "filters": "{bad"}, 409, "Validation Error"),
    ("datastore_search", {"resource_id": "RID", "filters": '{"nope": 1}'}, 409,
     "Validation Error"),
    ("datastore_search", {"resource_id": "RID", "sort": "nope"}, 409, "Validation Error"),
    ("datastore_search_sql", {"sql": "INSERT INTO x VALUES (1)"}, 409, "Validation Error"),
    ("datastore_search_sql", {"sql": 'UPDATE "RID" SET status = 1'}, 409, "Validation Error"),
    ("datastore_search_sql", {"sql": 'SELECT * FROM "RID"; DELETE FROM x'}, 409,
     "Validation Error"),
    ("datastore_search_sql", {"sql": "SELECT pg_read_file('/etc/passwd')"}, 409,
     "Validation Error"),
    ("datastore_search_sql", {"sql": "SELECT * FROM pg_catalog.pg_tables"}, 409,
     "Validation Error"),
    ("datastore_search_sql", {"sql": "SELECT * FROM auth_user"}, 409, "Validation Error"),
    ("no_such_action", {}, 400, "Bad Request"),
])
def test_bad_input_gets_ckans_error_envelope(demo: None, action: str, params: dict[str, Any],
                                             status: int, kind: str) -> None:
    resource_id = _datastore_id("reports", "reports")
    params = {key: value.replace("RID", resource_id) for key, value in params.items()}
    for prefix in ("/api/3/action/", "/api/action/"):
        response = Client().get(prefix + action, params)
        assert response.status_code == status, response.content
        body = response.json()
        assert body["success"] is False and body["error"]["__type"] == kind
        assert body["error"]["message"] and "help" in body


def test_bad_bodies_and_ckanapi_exceptions(demo: None, ckan: RemoteCKAN) -> None:
    response = Client().post("/api/3/action/package_list", data=b"{nope",
                             content_type="application/json")
    assert response.status_code == 400 and response.json()["success"] is False
    assert Client().put("/api/3/action/package_list").status_code == 405
    with pytest.raises(NotFound):
        ckan.action.package_show(id="no-such")
    with pytest.raises(ValidationError):
        ckan.action.package_search(rows=5000)
    with pytest.raises(SearchQueryError):
        ckan.action.package_search(fq="password:x")
    with pytest.raises(CKANAPIError):
        ckan.call_action("no_such_action")


def test_the_dcat_catalogue_is_valid_dcat_ap_3(demo: None) -> None:
    Dataset.objects.filter(name="shelters").update(
        contact_name="Відділ цивільного захисту", contact_email="cz@example.invalid",
        temporal_start="2024-01-01")
    graphs = {ext: Graph().parse(data=Client().get(f"/catalog.{ext}").content,
                                 format=syntax)
              for ext, syntax in (("ttl", "turtle"), ("jsonld", "json-ld"), ("rdf", "xml"))}
    assert len(graphs["ttl"]) == len(graphs["jsonld"]) == len(graphs["rdf"]) > 100
    conforms, _graph, report = validate(
        graphs["ttl"], shacl_graph=Graph().parse(SHAPES / "dcat-ap-SHACL.ttl"),
        ont_graph=Graph().parse(SHAPES / "ranges.ttl"), inference="none",
        allow_warnings=True)
    assert conforms, report


def test_a_withdrawn_dataset_leaves_search_and_keeps_its_page(demo: None,
                                                              ckan: RemoteCKAN) -> None:
    admin = make_staff("od-admin", "it_admin")
    client = Client()
    client.force_login(admin)
    assert client.post("/opendata/streets/withdraw/", {"reason": ""}).status_code == 303
    assert Dataset.objects.get(name="streets").state == State.PUBLISHED  # a reason is needed
    response = client.post("/opendata/streets/withdraw/",
                           {"reason": "Замінено набором «Адресний реєстр»"})
    assert response.status_code == 303
    assert "streets" not in ckan.action.package_list()
    assert OutboxEvent.objects.filter(name="opendata.DatasetWithdrawn",
                                      payload__name="streets").exists()
    assert ckan.action.package_search(q="вулиці")["count"] == 0
    assert ckan.action.package_show(id="streets")["state"] == "deleted"
    assert "/opendata/streets/" not in Client().get("/catalog.ttl").content.decode()
    page = Client().get("/opendata/streets/")
    assert page.status_code == 200 and "Адресний реєстр" in page.content.decode()
    assert Client().get("/opendata/streets/streets.csv").status_code == 404
    assert services.regenerate(["streets"]) == {"streets": "withdrawn"}
    client.post("/opendata/streets/withdraw/", {"republish": "1"})
    assert "streets" in ckan.action.package_list()


def test_pages_search_preview_downloads_and_describe(demo: None) -> None:
    client = Client()
    page = client.get("/opendata/", {"q": "петиції"}).content.decode()
    assert "/opendata/petitions/" in page and "/opendata/streets/" not in page
    shelters = client.get("/opendata/", {"organization": "civil-protection"})
    assert "/opendata/shelters/" in shelters.content.decode()
    detail = client.get("/opendata/petitions/").content.decode()
    assert "package_show?id=petitions" in detail and "datastore_search" in detail
    assert client.get("/opendata/petitions/petitions.csv").status_code == 200
    assert Resource.objects.get(dataset__name="petitions", format="CSV").downloads == 1
    assert client.get("/opendata/petitions/petitions.xlsx").status_code == 404
    client.get("/api/3/action/package_list")
    client.get("/catalog.ttl")
    assert services.requests_since(1) >= 3
    assert "30" in client.get("/opendata/").content.decode()
    assert client.get("/opendata/no-such/").status_code == 404
    assert client.get("/opendata/petitions/describe/").status_code == 403
    admin = make_staff("od-describer", "it_admin")
    client.force_login(admin)
    bad = client.post("/opendata/petitions/describe/", {"contact_email": "not an e-mail"})
    assert bad.status_code == 400
    good = client.post("/opendata/petitions/describe/", {
        "description": "Петиції", "contact_name": "Секретаріат",
        "contact_email": "petitions@example.invalid", "temporal_start": "2025-01-01"})
    assert good.status_code == 302
    assert Dataset.objects.get(name="petitions").contact_email == "petitions@example.invalid"
    with _english(client):
        assert "E-petitions" in client.get("/opendata/petitions/").content.decode()


class _english:
    """Switch the client's language to English for a block."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def __enter__(self) -> None:
        self.client.post("/i18n/setlang/", {"language": "en"})

    def __exit__(self, *_exc: object) -> None:
        self.client.post("/i18n/setlang/", {"language": "uk"})
