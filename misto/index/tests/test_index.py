"""The City Progress Index: the catalogue, computing with lineage and history, entered and
imported values (and what is refused), targets, the report, the composite index."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone
from pypdf import PdfReader

from misto.core.registry import indicator_functions
from misto.index import services
from misto.index.errors import BadRows, IndexCode, ProgressIndexError
from misto.index.models import Framework, Indicator, Method, Reminder, Value
from misto.index.services import catalogue as catalogue_service
from misto.index.services import formula
from misto.index.tests.conftest import last_year, line_of, make_reports
from misto.testing import world

pytestmark = pytest.mark.django_db


def test_the_shipped_catalogue_holds_the_strategy_and_the_standards(catalogue: int) -> None:
    assert catalogue >= 100
    rows = Indicator.objects.all()
    standards = rows.filter(framework__in=(Framework.ISO37120, Framework.ISO37122,
                                           Framework.ISO37123, Framework.U4SSC))
    assert standards.count() >= 60
    assert rows.filter(framework=Framework.STRATEGY).count() >= 30
    computed = rows.filter(method=Method.COMPUTED)
    assert computed.count() >= 40
    functions = indicator_functions()
    for indicator in computed:  # every formula names a declared function or known codes
        if formula.is_expression(indicator.formula):
            assert set(formula.references(indicator.formula)) <= set(
                rows.values_list("code", flat=True))
        else:
            assert indicator.formula in functions, indicator.code
    assert all(i.name_en and i.name_uk and i.definition_en for i in rows)


def _catalogue_with(extra: str) -> str:
    header = ",".join(catalogue_service.COLUMNS)
    return f"{header}\n{extra}\n"


def test_a_formula_naming_an_unknown_indicator_is_refused_and_nothing_loads(db: Any) -> None:
    good = ("A-1,Перший,First,governance,count,higher,city,,computed,reports.received,,,,,,,"
            "Визначення,Definition")
    bad = ("A-2,Другий,Second,governance,count,higher,city,,computed,= 2 * {NOPE-9},,,,,,,"
           "Визначення,Definition")
    with pytest.raises(BadRows) as refused:
        catalogue_service.load(_catalogue_with(f"{good}\n{bad}"))
    assert refused.value.code == IndexCode.BAD_CATALOGUE
    assert any("NOPE-9" in row and line_of(row) == 3 for row in refused.value.rows)
    assert not Indicator.objects.exists()


def test_unknown_functions_loops_and_bad_rows_are_each_listed(db: Any) -> None:
    rows = [
        "B-1,Б,B,governance,count,higher,city,,computed,reports.no_such_thing,,,,,,,Д,D",
        "B-2,Б,B,governance,count,higher,city,,computed,= {B-3} + 1,,,,,,,Д,D",
        "B-3,Б,B,governance,count,higher,city,,computed,= {B-2} * 2,,,,,,,Д,D",
        "B-4,Б,B,nowhere,count,higher,city,,entered,,,,,,,,Д,D",
        "B-1,Б,B,governance,count,higher,city,,entered,,,,,,,,Д,D",
        "B-5,Б,B,governance,count,higher,city,,computed,= __import__('os'),,,,,,,Д,D",
    ]
    with pytest.raises(BadRows) as refused:
        catalogue_service.load(_catalogue_with("\n".join(rows)))
    assert sorted(line_of(row) for row in refused.value.rows) == [2, 3, 4, 5, 6, 7]
    assert not Indicator.objects.exists()


def test_recomputing_after_faster_resolution_moves_the_median_and_keeps_history(
        city: Any, catalogue: int) -> None:
    year = last_year()
    reports = make_reports(year, [10, 20, 30, 40, 46])
    outcome = services.compute(str(year), codes={"GOV-03", "GOV-04", "GOV-05"})
    mean = services.current(Indicator.objects.get(code="GOV-04"), str(year))
    assert mean is not None and mean.value == pytest.approx(29.2)
    median = Indicator.objects.get(code="GOV-03")
    first = services.current(median, str(year))
    assert first is not None and first.value == pytest.approx(30)
    assert (first.function, first.function_version, first.inputs) == (
        "reports.resolution_hours_median", 1, 5)
    on_time = services.current(Indicator.objects.get(code="GOV-05"), str(year))
    assert on_time is not None and on_time.value == pytest.approx(100.0)  # all within 48 h
    west = services.current(median, str(year), world.WEST_DISTRICT)
    assert west is not None and west.value == pytest.approx(30)
    assert outcome.changed >= 2
    # The department resolves faster: each report 8 hours sooner.
    for report in reports:
        report.closed_at -= timedelta(hours=8)
        report.save(update_fields=["closed_at"])
    again = services.compute(str(year), codes={"GOV-03"})
    second = services.current(median, str(year))
    assert second is not None and second.value == pytest.approx(22)
    assert second.pk != first.pk and again.changed >= 1
    history = services.history(median, str(year))
    assert [v.value for v in history] == [pytest.approx(22), pytest.approx(30)]
    assert history[1].superseded_at is not None and history[0].superseded_at is None
    # Nothing changed: a third run stores nothing new.
    assert services.compute(str(year), codes={"GOV-03"}, by_district=False).changed == 0
    assert Value.objects.filter(indicator=median, period=str(year), district="").count() == 2


def test_an_expression_indicator_follows_its_references(city: Any, catalogue: int) -> None:
    from misto.residents.models import Person

    year = timezone.localdate().year
    for number in range(4):
        Person.objects.create(last_name=f"Мешканець{number}", first_name="Т",
                              birth_date="1990-01-01", district=world.WEST_DISTRICT)
    services.compute(str(year), codes={"POP-01", "SAF-07", "SAF-08"}, by_district=False)
    per_100 = services.current(Indicator.objects.get(code="SAF-08"), str(year))
    # The world's two shelters hold 120 + 80 places; 4 residents: 200 * 100 / 4.
    assert per_100 is not None and per_100.value == pytest.approx(5000)
    assert per_100.function == "= 100 * {SAF-07} / {POP-01}"


def test_a_future_period_and_a_bad_period_are_refused(catalogue: int, clerk: Any) -> None:
    future = str(timezone.localdate().year + 1)
    with pytest.raises(ProgressIndexError) as refused:
        services.compute(future)
    assert refused.value.code == IndexCode.FUTURE_PERIOD
    with pytest.raises(ProgressIndexError) as refused:
        services.enter(clerk, "ECO-01", future, 5, "Звіт")
    assert refused.value.code == IndexCode.FUTURE_PERIOD
    for bad in ("26", "2026-Q5", "2026-13", "1999", "twenty"):
        with pytest.raises(ProgressIndexError) as refused:
            services.parse(bad)
        assert refused.value.code == IndexCode.BAD_PERIOD
    assert not Value.objects.exists()


def test_entered_values_are_checked_and_kept_with_their_source(catalogue: int, clerk: Any,
                                                               light_clerk: Any) -> None:
    year = str(last_year())
    with pytest.raises(ProgressIndexError) as refused:
        services.enter(clerk, "ECO-01", year, 140, "Звіт центру зайнятості")
    assert refused.value.code == IndexCode.OUT_OF_RANGE and "ECO-01" in refused.value.message
    with pytest.raises(ProgressIndexError) as refused:
        services.enter(clerk, "ECO-01", year, 9.5, "  ")
    assert refused.value.code == IndexCode.NO_SOURCE
    with pytest.raises(ProgressIndexError) as refused:  # another department's indicator
        services.enter(light_clerk, "ECO-01", year, 9.5, "Звіт")
    assert refused.value.status == 404
    with pytest.raises(ProgressIndexError) as refused:  # computed: never typed in
        services.enter(clerk, "GOV-03", year, 9.5, "Звіт")
    assert refused.value.status in (404, 409)
    assert not Value.objects.exists()
    first = services.enter(clerk, "ECO-01", year, 9.5, "Звіт центру зайнятості")
    corrected = services.enter(clerk, "ECO-01", year, 9.1, "Уточнений звіт")
    assert (corrected.entered_by, corrected.source, corrected.method) == (
        clerk, "Уточнений звіт", Method.ENTERED)
    first.refresh_from_db()
    assert first.superseded_at is not None


def test_an_import_with_a_bad_row_imports_nothing(city: Any, catalogue: int,
                                                  it_admin: Any) -> None:
    year = last_year()
    text = ("code,period,district,value,source\n"
            f"ECO-01,{year},,9.1,Реєстр\n"
            f"ECO-02,{year},,101,Реєстр\n"        # a share above 100
            f"NOPE-1,{year},,5,Реєстр\n"          # no such indicator
            f"ECO-03,{year + 5},,5,Реєстр\n"      # the future
            f"ECO-05,{year},,abc,Реєстр\n"       # not a number
            f"ECO-06,{year},UA00000000000000000,5,Реєстр\n")  # no such district
    with pytest.raises(BadRows) as refused:
        services.check_import(it_admin, text, "register.csv")
    assert [line_of(row) for row in refused.value.rows] == [3, 4, 5, 6, 7]
    assert not Value.objects.exists()
    good = (f"code,period,district,value\nECO-01,{year},,9.1\nECO-02,{year},,61.5\n"
            f"ECO-01,{year},{world.WEST_DISTRICT},8.4\n")
    count = services.do_import(it_admin, services.check_import(it_admin, good,
                                                                "register.csv"))
    assert count == 3
    stored = Value.objects.get(indicator__code="ECO-02")
    assert (stored.method, stored.source, stored.value) == (Method.IMPORTED, "register.csv",
                                                            61.5)


def _pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_yearly_report_compares_actual_with_planned(catalogue: int, clerk: Any) -> None:
    year = last_year()
    services.set_target(clerk, "ECO-01", year, 9.5, "Стратегія")   # lower is better
    services.set_target(clerk, "ECO-02", year, 60, "Стратегія")    # higher is better
    services.set_target(clerk, "ECO-04", year, 500, "Стратегія")   # no actual value
    services.enter(clerk, "ECO-01", str(year), 9.1, "Звіт центру зайнятості")
    services.enter(clerk, "ECO-02", str(year), 55, "Звіт")
    lines = {line.indicator.code: line.achieved for line in services.lines(year)}
    assert lines == {"ECO-01": True, "ECO-02": False, "ECO-04": None}
    report = services.generate(clerk, year)
    assert (report.planned, report.achieved, report.missing) == (3, 1, 1)
    text = _pdf_text(bytes(report.pdf))
    assert "ECO-01" in text and str(year) in text
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(bytes(report.xlsx))).active
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["ECO-01"][3:5] == (9.5, 9.1)
    with pytest.raises(ProgressIndexError) as refused:
        services.generate(clerk, year - 5)
    assert refused.value.code == IndexCode.NO_TARGETS


def test_the_composite_scores_between_fixed_goalposts(catalogue: int, clerk: Any) -> None:
    year = str(last_year())
    services.enter(clerk, "ECO-01", year, 11.5, "Звіт")  # goalposts 20 (worst) .. 3 (best)
    services.enter(clerk, "ECO-02", year, 90, "Звіт")    # 40 .. 80, clipped at 100
    result = services.composite(year)
    economy = next(t for t in result.themes if t.theme == "economy")
    scores = {i.code: s for i, _v, s in economy.parts}
    assert scores == {"ECO-01": pytest.approx(50.0), "ECO-02": pytest.approx(100.0)}
    assert economy.score == pytest.approx(75.0)
    assert economy.confidence == "low" and 0 < economy.coverage < 0.5
    assert result.overall == pytest.approx(75.0)


def test_january_reminds_once_for_each_missing_entered_value(catalogue: int,
                                                              clerk: Any) -> None:
    from misto.core.models import OutboxEvent
    from misto.core.outbox import deliver_due
    from misto.notifications.models import Message

    this = timezone.localdate().year
    services.enter(clerk, "ECO-01", str(this - 1), 9.1, "Звіт")
    assert services.remind(date(this, 3, 10)) == 0
    sent = services.remind(date(this, 1, 10))
    missing = services.missing_entered(this - 1)
    assert sent == len(missing) and "ECO-01" not in {i.code for i in missing}
    assert services.remind(date(this, 1, 11)) == 0
    assert Reminder.objects.count() == sent
    event = OutboxEvent.objects.filter(name="index.EnteredValueMissing",
                                       payload__indicator="ECO-02").get()
    assert clerk.pk in event.payload["user_ids"]
    deliver_due()
    notice = next(m for m in Message.objects.filter(user=clerk)
                  if "ECO-02" in (m.data or {}).get("title_en", ""))
    data = notice.data or {}
    assert str(this - 1) in data["title_uk"] and data["url"].startswith("/index/")


def test_the_command_computes_a_year_and_refuses_a_bad_import(city: Any, catalogue: int,
                                                              tmp_path: Any) -> None:
    from django.contrib.auth import get_user_model
    from django.core.management import CommandError, call_command

    year = last_year()
    make_reports(year, [12, 24])
    out = io.StringIO()
    call_command("index", "compute", "--period", str(year), "--no-districts", stdout=out)
    assert f"{year}: computed" in out.getvalue()
    median = services.current(Indicator.objects.get(code="GOV-03"), str(year))
    assert median is not None and median.value == pytest.approx(18)
    get_user_model().objects.create_superuser("operator", password=None)
    bad = tmp_path / "register.csv"
    bad.write_text(f"code,period,value\nECO-01,{year},9\nECO-01,{year + 9},9\n")
    errors = io.StringIO()
    with pytest.raises(CommandError):
        call_command("index", "import", str(bad), stdout=out, stderr=errors)
    assert line_of(errors.getvalue().strip()) == 3
    assert not Value.objects.filter(indicator__code="ECO-01").exists()


def test_every_declared_function_answers_for_a_period_city_wide_and_by_district(
        city: Any) -> None:
    """Each module's exported functions run on both databases and return a Measure."""
    from misto.core.registry import Measure

    start, end = services.parse(str(last_year())).bounds()
    functions = indicator_functions()
    assert len(functions) >= 60
    for name, (module, function) in functions.items():
        assert name.startswith(f"{module}."), name
        for district in [None, world.WEST_DISTRICT] if function.by_district else [None]:
            measure = function.compute(start, end, district)
            assert isinstance(measure, Measure) and isinstance(measure.inputs, int), name
            assert measure.value is None or isinstance(measure.value, float | int), name


def test_a_citys_own_indicator_passes_the_catalogues_checks(catalogue: int) -> None:
    own = Indicator(code="CITY-1", name_uk="Власний", name_en="Own", theme="governance",
                    unit="count", direction="higher", framework="city", method="computed",
                    definition_uk="Визначення", definition_en="Definition")
    for bad in ("= 2 * {NOPE-1}", "reports.no_such_function", "__import__('os')", ""):
        own.formula = bad
        with pytest.raises(ProgressIndexError) as refused:
            catalogue_service.check_indicator(own)
        assert refused.value.code in (IndexCode.BAD_FORMULA, IndexCode.BAD_CATALOGUE), bad
    own.formula = "= 1000 * {GOV-01} / {POP-01}"
    catalogue_service.check_indicator(own)


def test_a_new_function_version_supersedes_an_equal_value(city: Any, catalogue: int,
                                                          monkeypatch: Any) -> None:
    """The lineage names the method that made the value: a changed method's first run
    stores a new row even when the figure is the same."""
    import dataclasses

    from misto.index.services import computing

    year = str(last_year())
    make_reports(last_year(), [6, 6])
    services.compute(year, codes={"GOV-03"}, by_district=False)
    declared = dict(indicator_functions())
    module, function = declared["reports.resolution_hours_median"]
    declared["reports.resolution_hours_median"] = (module, dataclasses.replace(function,
                                                                               version=2))
    monkeypatch.setattr(computing, "indicator_functions", lambda: declared)
    assert services.compute(year, codes={"GOV-03"}, by_district=False).changed == 1
    rows = services.history(Indicator.objects.get(code="GOV-03"), year)
    assert [(v.value, v.function_version) for v in rows] == [(6.0, 2), (6.0, 1)]
