"""Partners' API clients: a key issued by the clerk who keeps the partner lets the
partner's system change its own places' hours and closures, nothing else; a revoked or
wrong key is a 401; only the key's hash is stored."""

from __future__ import annotations

import hashlib
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from misto.core.models import OutboxEvent
from misto.directory.models import ApiClient, Organisation, OrgKind, PartnerRole, Unit
from misto.testing import world

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner(cnap: Unit) -> Unit:
    """A partner NGO kept by the ЦНАП's department, with one place of its own."""
    org = Organisation.objects.create(slug="help-ngo", kind=OrgKind.NGO, name_uk="Допомога",
                                      department="cnap", partner_role=PartnerRole.NGO)
    lon, lat = world.ON_LESI
    return Unit.objects.create(organisation=org, slug="help-hub", name_uk="Хаб допомоги",
                               lon=lon, lat=lat, hours="Mo-Fr 10:00-18:00")


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def machine(key: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def issue(clerk: Any, slug: str = "help-ngo") -> Any:
    return signed_in(clerk).post(f"/api/directory/partners/{slug}/api-clients",
                                 json.dumps({"name": "Help CRM"}),
                                 content_type="application/json")


def test_a_partner_key_changes_its_own_places_only(partner, cnap, cnap_clerk) -> None:
    issued = issue(cnap_clerk)
    assert issued.status_code == 201, issued.content
    key = issued.json()["key"]
    assert key.startswith("mdk_") and issued.json()["prefix"] == key[:8]
    row = ApiClient.objects.get()
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest() and key not in str(
        ApiClient.objects.values().get())
    system = machine(key)
    assert [p["slug"] for p in system.get("/api/directory/partner/places").json()] == [
        "help-hub"]
    hours = system.put("/api/directory/partner/places/help-hub/hours",
                       json.dumps({"opening_hours": "Mo-Sa 09:00-19:00"}),
                       content_type="application/json")
    assert hours.status_code == 200 and hours.json()["opening_hours"] == "Mo-Sa 09:00-19:00"
    closed = system.post("/api/directory/partner/places/help-hub/closures", json.dumps(
        {"start": "2030-01-01", "end": "2030-01-03", "reason_uk": "Інвентаризація"}),
        content_type="application/json")
    assert closed.status_code == 201
    closure_id = partner.closures.get().pk
    assert system.delete(f"/api/directory/partner/places/help-hub/closures/{closure_id}"
                         ).status_code == 204
    assert OutboxEvent.objects.filter(name="directory.EntryChanged",
                                      payload__unit="help-hub").count() == 3
    assert ApiClient.objects.get().last_used_at is not None
    # The city's own place is not the partner's: "not found", and nothing changes.
    other = system.put("/api/directory/places/cnap-main/hours", json.dumps(
        {"opening_hours": "24/7"}), content_type="application/json")
    assert other.status_code == 401  # the staff route takes no key
    foreign = system.put("/api/directory/partner/places/cnap-main/hours", json.dumps(
        {"opening_hours": "24/7"}), content_type="application/json")
    assert foreign.status_code == 404
    cnap.refresh_from_db()
    assert cnap.hours != "24/7"


def test_bad_input_through_a_key_is_refused_and_changes_nothing(partner, cnap_clerk) -> None:
    system = machine(issue(cnap_clerk).json()["key"])
    bad = system.put("/api/directory/partner/places/help-hub/hours",
                     json.dumps({"opening_hours": "Mo-Fr 25:00-26:00"}),
                     content_type="application/json")
    assert bad.status_code == 400 and bad.json()["error"] == "bad_hours"
    partner.refresh_from_db()
    assert partner.hours == "Mo-Fr 10:00-18:00"


def test_revoked_wrong_and_missing_keys_are_401(partner, cnap_clerk, light_clerk) -> None:
    issued = issue(cnap_clerk).json()
    system = machine(issued["key"])
    assert system.get("/api/directory/partner/places").status_code == 200
    assert signed_in(light_clerk).delete(
        f"/api/directory/api-clients/{issued['id']}").status_code in (403, 404)
    assert signed_in(cnap_clerk).delete(
        f"/api/directory/api-clients/{issued['id']}").status_code == 204
    assert system.get("/api/directory/partner/places").status_code == 401
    assert machine("mdk_wrong").get("/api/directory/partner/places").status_code == 401
    assert Client().get("/api/directory/partner/places").status_code == 401
    listed = signed_in(cnap_clerk).get("/api/directory/partners/help-ngo/api-clients").json()
    assert listed[0]["active"] is False and "key" not in listed[0]


def test_only_the_partners_department_issues_keys(partner, light_clerk, cnap_clerk) -> None:
    assert issue(light_clerk).status_code in (403, 404)
    assert issue(cnap_clerk, slug="cnap").status_code == 404  # the ЦНАП is not a partner
    assert Client().post("/api/directory/partners/help-ngo/api-clients",
                         json.dumps({"name": "x"}),
                         content_type="application/json").status_code == 401
    assert not ApiClient.objects.exists()


def test_the_partners_page_lists_registered_clients_not_keys(partner, cnap_clerk) -> None:
    key = issue(cnap_clerk).json()["key"]
    # The partner's Open311 app too: the reports module issued it, the page lists it.
    call_command("open311", "create-key", "Help Map", "--organisation", "help-ngo",
                 stdout=StringIO())
    call_command("open311", "create-key", "Someone else's app", stdout=StringIO())
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get("/directory/partners/").content.decode()
    assert "Help CRM (Misto directory API)" in page and key not in page and key[:8] not in page
    assert "Help Map (Open311 GeoReport v2)" in page and "Someone else" not in page
    (listed,) = [p for p in Client().get("/api/directory/partners").json()
                 if p["slug"] == "help-ngo"]
    assert listed["applications"] == [
        {"name": "Help CRM", "interface": "Misto directory API"},
        {"name": "Help Map", "interface": "Open311 GeoReport v2"}]


def test_the_clerks_page_issues_a_key_once_and_revokes_it(partner, cnap_clerk,
                                                          light_clerk) -> None:
    clerk = signed_in(cnap_clerk)
    page = clerk.post("/directory/staff/partners/", {"step": "issue", "partner": "help-ngo",
                                                     "name": "Help CRM"},
                      HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    key = html.split("data-key>", 1)[1].split("<", 1)[0]
    assert key.startswith("mdk_") and machine(key).get(
        "/api/directory/partner/places").status_code == 200
    again = clerk.get("/directory/staff/partners/").content.decode()
    assert "Help CRM" in again and key not in again
    # Another department's clerk sees no partner of ours and cannot revoke the key.
    assert "help-ngo" not in signed_in(light_clerk).get("/directory/staff/partners/"
                                                        ).content.decode()
    row = ApiClient.objects.get()
    signed_in(light_clerk).post("/directory/staff/partners/", {"step": "revoke",
                                                               "client": str(row.pk)})
    row.refresh_from_db()
    assert row.active
    clerk.post("/directory/staff/partners/", {"step": "revoke", "client": str(row.pk)})
    row.refresh_from_db()
    assert not row.active
    assert machine(key).get("/api/directory/partner/places").status_code == 401
    bad = clerk.post("/directory/staff/partners/", {"step": "issue", "partner": "help-ngo",
                                                    "name": " "})
    assert bad.status_code == 400 and ApiClient.objects.count() == 1
