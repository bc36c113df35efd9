"""Models to API shapes (one place, for the public and the staff routers)."""

from __future__ import annotations

from django.urls import reverse

from misto.core.i18n import localized
from misto.index.api.schemas import (
    IndicatorDetailOut,
    IndicatorOut,
    LineageOut,
    ReportOut,
    ValueOut,
)
from misto.index.models import Indicator, Report, Value

COMPOSITE_METHOD = ("Min-max normalisation with fixed goalposts per indicator (0 at the "
                    "worst, 100 at the best, clipped); a theme is the weighted mean of its "
                    "scored indicators; the index is the mean of the scored themes; "
                    "confidence from the share of weight with a value (high >= 75%, "
                    "medium >= 50%).")


def value_out(value: Value, *, staff: bool = False) -> ValueOut:
    who = None
    if staff and value.entered_by_id:
        who = value.entered_by.get_username() if value.entered_by else None
    return ValueOut(id=value.pk, period=value.period, district=value.district,
                    value=value.value, lineage=LineageOut(
                        method=value.method, function=value.function,
                        function_version=value.function_version, inputs=value.inputs,
                        source=value.source, recorded_at=value.recorded_at,
                        superseded_at=value.superseded_at, entered_by=who))


def latest(indicator: Indicator) -> Value | None:
    """The newest city-wide value: the latest year with one, else the latest period."""
    rows = Value.objects.filter(indicator=indicator, district="", superseded_at=None)
    return (rows.filter(period__regex=r"^\d{4}$").order_by("-period").first()
            or rows.order_by("-period").first())


def latest_map() -> dict[int, Value]:
    """indicator id -> its newest city-wide value (by :func:`latest`'s rule), one query."""
    found: dict[int, Value] = {}
    for value in Value.objects.filter(district="", superseded_at=None).order_by("period"):
        held = found.get(value.indicator_id)
        if held is None or len(value.period) == 4 or len(held.period) != 4:
            found[value.indicator_id] = value
    return found


def indicator_out(indicator: Indicator, value: Value | None) -> IndicatorOut:
    return IndicatorOut(
        code=indicator.code, name=localized(indicator, "name"), name_uk=indicator.name_uk,
        name_en=indicator.name_en, theme=indicator.theme, unit=indicator.unit,
        direction=indicator.direction, framework=indicator.framework,
        reference=indicator.reference, method=indicator.method,
        department=indicator.department, latest=value_out(value) if value else None)


def indicator_detail(indicator: Indicator) -> IndicatorDetailOut:
    base = indicator_out(indicator, latest(indicator)).model_dump()
    return IndicatorDetailOut(
        **base, definition=localized(indicator, "definition"), formula=indicator.formula,
        min_value=indicator.min_value, max_value=indicator.max_value,
        goal_worst=indicator.goal_worst, goal_best=indicator.goal_best,
        weight=indicator.weight,
        targets={str(t.year): t.value for t in indicator.targets.all()})


def report_out(report: Report) -> ReportOut:
    return ReportOut(id=report.pk, year=report.year, generated_at=report.generated_at,
                     planned=report.planned, achieved=report.achieved, missing=report.missing,
                     pdf=reverse("index:report_file", args=[report.pk, "pdf"]),
                     xlsx=reverse("index:report_file", args=[report.pk, "xlsx"]))
