"""The index's API (public and staff) and pages in both languages, with the small world."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from misto.index import services
from misto.index.models import Target, Value
from misto.index.tests.conftest import last_year, line_of, make_reports
from misto.testing import world

pytestmark = pytest.mark.django_db


@pytest.fixture
def filled(city: Any, catalogue: int, clerk: Any) -> dict[str, Any]:
    year = last_year()
    make_reports(year, [5, 15, 25])
    services.compute(str(year), codes={"GOV-01", "GOV-03", "SAF-06"})
    entered = services.enter(clerk, "ECO-01", str(year), 9.1, "Звіт центру зайнятості")
    services.enter(clerk, "ECO-01", str(year), 8.9, "Уточнений звіт")
    services.set_target(clerk, "ECO-01", year, 9.5, "Стратегія")
    return {"year": year, "entered": entered}


def test_the_public_api_lists_indicators_with_their_latest_value_and_lineage(
        client: Client, filled: dict[str, Any]) -> None:
    answer = client.get("/api/index/indicators")
    assert answer.status_code == 200
    rows = {row["code"]: row for row in answer.json()}
    assert len(rows) >= 100
    median = rows["GOV-03"]
    assert median["method"] == "computed" and median["unit"] == "h"
    assert median["latest"]["period"] == str(filled["year"])
    assert median["latest"]["value"] == pytest.approx(15)
    assert median["latest"]["lineage"]["function"] == "reports.resolution_hours_median"
    assert median["latest"]["lineage"]["inputs"] == 3
    eco = rows["ECO-01"]["latest"]
    assert eco["lineage"]["source"] == "Уточнений звіт"
    assert eco["lineage"]["entered_by"] is None  # the person only on staff routes
    values = client.get("/api/index/indicators/ECO-01/values",
                        {"period": str(filled["year"])}).json()
    assert [v["value"] for v in values["values"]] == [8.9]
    assert [v["value"] for v in values["history"]] == [9.1]
    detail = client.get("/api/index/indicators/ECO-01").json()
    assert detail["targets"] == {str(filled["year"]): 9.5}
    assert client.get("/api/index/indicators/NOPE-1").status_code == 404
    composite = client.get("/api/index/composite", {"period": str(filled["year"])}).json()
    assert "goalposts" in composite["method"]
    assert any(t["theme"] == "economy" and t["score"] is not None
               for t in composite["themes"])
    assert client.get("/api/index/composite", {"period": "2026-Q9"}).status_code == 400
    west = client.get("/api/index/composite", {"period": str(filled["year"]),
                                               "district": world.WEST_DISTRICT}).json()
    governance = next(t for t in west["themes"] if t["theme"] == "governance")
    assert {p["code"]: p["value"] for p in governance["parts"]}["GOV-03"] == pytest.approx(15)
    coverage = client.get("/api/index/coverage", {"year": filled["year"]}).json()
    assert {row["code"]: row["periods"][str(filled["year"])] for row in coverage}["GOV-03"]


def test_staff_api_enters_values_and_targets_and_refuses_bad_input(
        client: Client, catalogue: int, clerk: Any) -> None:
    client.force_login(clerk)
    year = last_year()
    post = lambda path, body: client.post(path, json.dumps(body),  # noqa: E731
                                          content_type="application/json")
    made = post("/api/index/values", {"code": "ECO-01", "period": str(year), "value": 9.1,
                                      "source": "Звіт"})
    assert made.status_code == 201 and made.json()["lineage"]["entered_by"] == "economy-clerk"
    refused = post("/api/index/values", {"code": "ECO-01", "period": str(year),
                                         "value": 250, "source": "Звіт"})
    assert refused.status_code == 400 and refused.json()["error"] == "out_of_range"
    future = post("/api/index/values", {"code": "ECO-01", "period": str(year + 3),
                                        "value": 5, "source": "Звіт"})
    assert future.status_code == 400 and future.json()["error"] == "future_period"
    assert post("/api/index/targets", {"code": "ECO-01", "year": year,
                                       "value": 9.5}).status_code == 200
    assert Value.objects.count() == 1 and Target.objects.count() == 1
    report = post("/api/index/reports", {"year": year})
    assert report.status_code == 201 and report.json()["achieved"] == 1
    listed = Client().get("/api/index/reports")  # the same path, public and read-only
    assert listed.status_code == 200 and listed.json()[0]["achieved"] == 1
    pdf = client.get(report.json()["pdf"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.post("/api/index/compute", json.dumps({"period": str(year)}),
                       content_type="application/json").status_code == 403
    anonymous = Client()
    assert anonymous.post("/api/index/values", json.dumps({}),
                          content_type="application/json").status_code == 401


def test_an_import_through_the_api_lists_every_bad_row(client: Client, catalogue: int,
                                                       it_admin: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(it_admin)
    year = last_year()
    bad = SimpleUploadedFile("r.csv", f"code,period,value\nECO-01,{year},9\nECO-02,{year},x\n"
                             .encode())
    answer = client.post("/api/index/imports", {"file": bad})
    assert answer.status_code == 400 and line_of(answer.json()["rows"][0]) == 3
    assert not Value.objects.exists()


PAGES = ["/index/", "/index/themes/economy/", "/index/indicators/",
         "/index/indicators/GOV-03/", "/index/coverage/", "/index/reports/"]


@pytest.mark.parametrize("language", ["uk", "en"])
def test_public_pages_in_both_languages(client: Client, filled: dict[str, Any],
                                        language: str) -> None:
    client.cookies["django_language"] = language
    for path in PAGES:
        page = client.get(path)
        assert page.status_code == 200, path
    indicator = client.get("/index/indicators/ECO-01/").content.decode()
    assert ("Рівень безробіття" if language == "uk" else "Unemployment rate") in indicator
    value = Value.objects.get(indicator__code="ECO-01", superseded_at=None)
    lineage = client.get(f"/index/indicators/ECO-01/values/{value.pk}/").content.decode()
    assert "Уточнений звіт" in lineage and "Звіт центру зайнятості" in lineage
    assert "economy-clerk" not in lineage  # the department, never the person
    home = client.get(f"/index/?year={filled['year']}").content.decode()  # where measured
    assert f"district={world.WEST_DISTRICT}" in home
    assert f"district={world.EAST_DISTRICT}" not in home  # nothing measured there
    west = client.get(f"/index/?district={world.WEST_DISTRICT}").content.decode()
    assert f'value="{world.WEST_DISTRICT}" selected' in west
    coverage = client.get(f"/index/coverage/?year={filled['year']}").content.decode()
    assert "Уточнений звіт" in coverage and "reports.resolution_hours_median" in coverage
    assert client.get("/index/themes/nowhere/").status_code == 404
    assert client.get("/index/indicators/NOPE/").status_code == 404


def test_downloads_csv_json_and_open_sdg(client: Client, filled: dict[str, Any]) -> None:
    year = str(filled["year"])
    rows = list(csv.DictReader(io.StringIO(
        client.get("/index/indicators/GOV-03/data.csv").content.decode())))
    assert {(r["period"], r["district"]) for r in rows} >= {(year, "")}
    assert json.loads(client.get("/index/indicators/GOV-03/data.json").content)["code"] == \
        "GOV-03"
    tidy = list(csv.DictReader(io.StringIO(
        client.get("/index/indicators/GOV-03/data.opensdg.csv").content.decode())))
    assert tidy and set(tidy[0]) == {"Year", "Units", "District", "Value"}
    assert {r["Year"] for r in tidy} == {year}
    assert client.get("/index/indicators/GOV-03/data.exe").status_code == 404


def test_the_staff_page_enters_and_refuses_with_a_message(client: Client, catalogue: int,
                                                          clerk: Any) -> None:
    client.force_login(clerk)
    year = last_year()
    page = client.get(f"/index/staff/?year={year}")
    assert page.status_code == 200 and "ECO-01" in page.content.decode()
    assert "GOV-03" not in page.content.decode()  # computed: not typed in
    answer = client.post("/index/staff/value/", {"code": "ECO-01", "period": str(year),
                                                 "value": "150", "source": "Звіт"},
                         follow=True)
    assert "ECO-01" in answer.content.decode() and not Value.objects.exists()
    client.post("/index/staff/value/", {"code": "ECO-01", "period": str(year),
                                        "value": "9,1", "source": "Звіт"})
    assert Value.objects.get().value == pytest.approx(9.1)
    assert client.post("/index/staff/value/", {"code": "HLT-01", "period": str(year),
                                               "value": "70", "source": "Звіт"}
                       ).status_code == 404  # the health department's
    assert timezone.localdate().year - 1 == year


def test_the_it_department_adds_a_citys_own_indicator_in_the_admin(client: Client,
                                                                   catalogue: int) -> None:
    from misto.index.models import Indicator
    from misto.testing import make_staff

    client.force_login(make_staff("it", "it_admin", is_staff=True))
    assert client.get("/admin/index/indicator/").status_code == 200
    form = {"code": "CITY-1", "name_uk": "Власний", "name_en": "Own", "theme": "governance",
            "unit": "count", "direction": "higher", "framework": "city", "method": "computed",
            "formula": "= 2 * {NOPE-1}", "definition_uk": "Визначення",
            "definition_en": "Definition", "weight": "1", "active": "on"}
    refused = client.post("/admin/index/indicator/add/", form)
    assert refused.status_code == 200 and "NOPE-1" in refused.content.decode()
    assert not Indicator.objects.filter(code="CITY-1").exists()
    form["formula"] = "= 1000 * {GOV-01} / {POP-01}"
    assert client.post("/admin/index/indicator/add/", form).status_code == 302
    assert Indicator.objects.get(code="CITY-1").shipped is False


def test_the_open_dataset_holds_the_values_with_lineage_and_no_person(
        filled: dict[str, Any]) -> None:
    from misto.index.datasets import DATASETS, indicators, values

    rows = list(values())
    eco = [row for row in rows if row["code"] == "ECO-01"]
    assert [(row["period"], row["value"], row["source"], row["department"]) for row in eco] \
        == [(str(filled["year"]), 8.9, "Уточнений звіт", "economy")]  # the current one
    median = next(row for row in rows if row["code"] == "GOV-03" and not row["district"])
    assert (median["function"], median["function_version"], median["inputs"]) == (
        "reports.resolution_hours_median", 1, 3)
    assert "economy-clerk" not in repr(rows)
    assert len(list(indicators())) >= 100
    assert DATASETS[0].stale_on == ("index.ValuesComputed",)


def test_sdmx_csv_parses_back_to_the_current_values(client: Client,
                                                    filled: dict[str, Any]) -> None:
    """SDMX-CSV 2.0: the fixed first columns, one observation a row, and every current
    value read back from the file as stored (the public file and one indicator's)."""
    import csv
    import io

    answer = client.get("/index/data/values.sdmx.csv")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/vnd.sdmx.data+csv; version=2.0.0")
    text = answer.content.decode()
    assert text.startswith("STRUCTURE,STRUCTURE_ID,ACTION,") and "\r\n" in text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {(row["STRUCTURE"], row["STRUCTURE_ID"], row["ACTION"]) for row in rows} == {
        ("dataflow", "MISTO:CITY_PROGRESS_INDEX(1.0.0)", "I")}
    read = {(row["INDICATOR"], row["REF_AREA"], row["TIME_PERIOD"]): float(row["OBS_VALUE"])
            for row in rows}
    stored = {(code, district or "_T", period): value for code, district, period, value in
              Value.objects.filter(superseded_at=None).values_list(
                  "indicator__code", "district", "period", "value")}
    assert read == stored and len(read) == len(rows)  # one row per observation
    year = str(filled["year"])
    assert read[("ECO-01", "_T", year)] == 8.9  # the corrected value, not the first
    assert read[("GOV-03", world.WEST_DISTRICT, year)] == pytest.approx(15)
    for row in rows:
        assert row["FREQ"] == {4: "A", 7: "Q" if "Q" in row["TIME_PERIOD"] else "M"}[
            len(row["TIME_PERIOD"])]
    eco = next(row for row in rows if row["INDICATOR"] == "ECO-01")
    assert (eco["UNIT_MEASURE"], eco["COLLECTION"]) == ("%", "entered")
    one = client.get("/index/indicators/ECO-01/data.sdmx.csv").content.decode()
    assert [row["INDICATOR"] for row in csv.DictReader(io.StringIO(one))] == ["ECO-01"]
