"""Open to anyone: the catalogue, values with their lineage, the index, coverage, reports."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Schema

from misto.core.audience import Audience
from misto.core.schemas import refusals
from misto.index import services
from misto.index.api.convert import (
    COMPOSITE_METHOD,
    indicator_detail,
    indicator_out,
    latest_map,
    report_out,
    value_out,
)
from misto.index.api.schemas import (
    Code,
    CompositeOut,
    CoverageRowOut,
    District,
    IndicatorDetailOut,
    IndicatorOut,
    PartOut,
    PeriodCode,
    ReportOut,
    ThemeOut,
    ValuesOut,
    Year,
)
from misto.index.models import Indicator, Report, Value

routes = Audience()


class ValuesQuery(Schema):
    period: PeriodCode | None = None
    district: District | None = None


class CompositeQuery(Schema):
    period: PeriodCode
    district: District = ""


class CoverageQuery(Schema):
    year: Year


@routes.get("/indicators", response={200: list[IndicatorOut], **refusals()},
            summary="Indicators with their latest value, period and lineage")
def indicators(request: HttpRequest) -> list[IndicatorOut]:
    values = latest_map()
    return [indicator_out(indicator, values.get(indicator.pk))
            for indicator in Indicator.objects.filter(active=True)]


@routes.get("/indicators/{code}", response={200: IndicatorDetailOut, **refusals(404)},
            summary="One indicator: definition, formula, goalposts, targets")
def indicator(request: HttpRequest, code: Code) -> IndicatorDetailOut:
    return indicator_detail(services.access_indicator(code))


@routes.get("/indicators/{code}/values", response={200: ValuesOut, **refusals(404)},
            summary="Current values by period and district, and the superseded ones")
def values(request: HttpRequest, code: Code, query: Query[ValuesQuery]) -> ValuesOut:
    found = services.access_indicator(code)
    rows = Value.objects.filter(indicator=found)
    if query.period:
        rows = rows.filter(period=services.parse(query.period).code)
    if query.district is not None:
        rows = rows.filter(district=query.district)
    rows = rows.order_by("period", "district", "-recorded_at")
    return ValuesOut(code=found.code, period=query.period, district=query.district,
                     values=[value_out(v) for v in rows if v.superseded_at is None],
                     history=[value_out(v) for v in rows if v.superseded_at is not None])


@routes.get("/composite", response={200: CompositeOut, **refusals()},
            summary="The composite index per theme and overall, with confidence")
def composite(request: HttpRequest, query: Query[CompositeQuery]) -> CompositeOut:
    result = services.composite(services.parse(query.period).code, query.district)
    return CompositeOut(
        period=result.period, district=result.district, overall=result.overall,
        coverage=result.coverage, confidence=result.confidence, method=COMPOSITE_METHOD,
        themes=[ThemeOut(theme=t.theme, label=t.label, score=t.score, coverage=t.coverage,
                         confidence=t.confidence, scored=t.scored, total=t.total,
                         parts=[PartOut(code=i.code, value=v, score=s, weight=i.weight)
                                for i, v, s in t.parts]) for t in result.themes])


@routes.get("/coverage", response={200: list[CoverageRowOut], **refusals()},
            summary="Which indicators have a value for the year and its quarters")
def coverage(request: HttpRequest, query: Query[CoverageQuery]) -> list[CoverageRowOut]:
    periods = [str(query.year)] + [f"{query.year}-Q{q}" for q in range(1, 5)]
    return [CoverageRowOut(code=row.indicator.code, method=row.indicator.method,
                           available=row.available, periods=row.periods)
            for row in services.coverage(periods)]


@routes.get("/reports", response={200: list[ReportOut], **refusals()},
            summary="The yearly monitoring reports as generated")
def reports(request: HttpRequest) -> list[ReportOut]:
    return [report_out(report) for report in Report.objects.defer("pdf", "xlsx")]
