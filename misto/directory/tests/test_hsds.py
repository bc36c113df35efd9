"""Open Referral HSDS 3.0: export, re-import without duplicates, refusal of a bad file."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from django.test import Client

from misto.directory.errors import DirectoryProblems
from misto.directory.models import Organisation, Unit
from misto.directory.services import hsds
from misto.testing import make_staff

pytestmark = pytest.mark.django_db


def test_export_has_the_hsds_objects(cnap: Any) -> None:
    document = Client().get("/api/directory/hsds.json").json()
    assert {"organizations", "services", "locations", "service_at_locations", "phones",
            "schedules"} <= set(document)
    location = document["locations"][0]
    assert location["id"] == hsds.hsds_id("unit", "cnap-main")
    assert document["phones"][0]["number"] == "+380612223344"
    rules = {(r["byday"], r["opens_at"][:5], r["closes_at"][:5]) for r in document["schedules"]}
    assert rules == {("MO,TU,WE,TH,FR", "08:00", "12:00"), ("MO,TU,WE,TH,FR", "13:00", "17:00")}
    assert document["service_at_locations"][0]["location_id"] == location["id"]


def test_reimport_updates_without_duplicates(cnap: Any) -> None:
    document = hsds.export()
    document["locations"][0]["name"] = "ЦНАП, новий"
    hsds.do_import(hsds.check_import(document), department="cnap")
    assert Unit.objects.count() == 1 and Organisation.objects.count() == 1
    cnap.refresh_from_db()
    assert cnap.name_uk == "ЦНАП, новий" and cnap.hours == "Mo-Fr 08:00-12:00,13:00-17:00"


def test_another_systems_weekly_rules_become_osm_hours(cnap: Any) -> None:
    document = hsds.export()
    for rule in document["schedules"]:
        rule["notes"] = ""
    document["locations"][0]["id"] = "Other:System/42"
    for row in document["schedules"] + document["phones"]:
        row["location_id"] = "Other:System/42"
    hsds.do_import(hsds.check_import(document), department="cnap")
    imported = Unit.objects.exclude(pk=cnap.pk).get()
    assert imported.hours == "Mo-Fr 08:00-12:00,13:00-17:00"
    assert imported.slug == "unit-other-system-42"
    assert Client().get(f"/directory/{imported.slug}/").status_code == 200


def test_a_bad_file_is_refused_with_each_problem_and_changes_nothing(cnap: Any) -> None:
    document = hsds.export()
    bad = copy.deepcopy(document)
    bad["phones"][0]["number"] = "123"
    bad["locations"][0]["latitude"] = 50.45
    bad["locations"][0]["longitude"] = 30.52
    bad["schedules"][0]["notes"] = "opening_hours=Mo-Fx"
    with pytest.raises(DirectoryProblems) as refused:
        hsds.check_import(bad)
    problems = refused.value.problems
    assert "phones[0].number" in problems and "locations[0].latitude" in problems
    assert "locations[0].schedules" in problems
    admin = make_staff("directory-admin", "it_admin")
    client = Client()
    client.force_login(admin)
    answer = client.post("/api/directory/hsds", json.dumps(bad), content_type="application/json")
    assert answer.status_code == 400 and "phones[0].number" in answer.json()["problems"]
    cnap.refresh_from_db()
    assert cnap.lat != 50.45
    assert client.post("/api/directory/hsds", json.dumps(document),
                       content_type="application/json").json() == {"organizations": 1,
                                                                    "locations": 1}
