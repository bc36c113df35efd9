"""The index's pages: thin, they call ``services`` and render.

Public: the index with its trend, each theme, each indicator (definition, chart, values with
lineage, downloads), coverage and the yearly reports. Staff: their indicators, where they
enter values and targets, import a register's file and generate the report; a refusal is a
message on the page, an action the role may not do a 403 page.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from misto import twin
from misto.core.http import see_other
from misto.core.permissions import can, require, scope_filter
from misto.index import services
from misto.index.api.convert import COMPOSITE_METHOD, latest_map
from misto.index.errors import BadRows, IndexCode, ProgressIndexError
from misto.index.models import Indicator, Method, Report, Target, Theme, Value
from misto.index.services.sdmx import MEDIA_TYPE as SDMX_MEDIA_TYPE

YEARS_SHOWN = 5


def _year(request: HttpRequest) -> int:
    this = timezone.localdate().year
    try:
        year = int(request.GET.get("year", this))
    except ValueError:
        return this
    return year if 2000 <= year <= this else this


def _years(year: int) -> list[int]:
    return list(range(year - YEARS_SHOWN + 1, year + 1))


def chart(points: list[tuple[str, float | None]], *, width: int = 560,
          height: int = 180) -> dict[str, Any]:
    """An SVG line chart's geometry (the page draws it and a table of the same data)."""
    known = [v for _label, v in points if v is not None]
    if not known:
        return {"empty": True}
    low, high = min(0.0, min(known)), max(known)
    span = (high - low) or 1.0
    left, right, top, bottom = 48, 12, 12, 28
    step = (width - left - right) / max(1, len(points) - 1)
    marks = []
    for index, (label, value) in enumerate(points):
        x = left + index * step
        y = None if value is None else top + (height - top - bottom) * (1 - (value - low) / span)
        marks.append({"x": round(x, 1), "y": None if y is None else round(y, 1),
                      "label": label, "value": value})
    line = " ".join(f"{m['x']},{m['y']}" for m in marks if m["y"] is not None)
    return {"empty": False, "width": width, "height": height, "marks": marks, "line": line,
            "high": high, "low": low, "base": height - bottom, "left": left,
            "top": top}


def home(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    districts = twin.districts()
    district = request.GET.get("district", "")
    district = district if district in {d.katottg for d in districts} else ""
    result = services.composite(str(year), district)
    trend = [(str(y), services.composite(str(y), district).overall) for y in _years(year)]
    counts = services.summary([str(year)])
    compared = [(d, services.composite(str(year), d.katottg)) for d in districts]
    return render(request, "index/home.html", {
        "compared": [(d, c) for d, c in compared if c.overall is not None],
        "year": year, "result": result, "chart": chart(trend), "trend": trend,
        "method": COMPOSITE_METHOD, "counts": counts, "methods": Method,
        "total": sum(c["total"] for c in counts.values()),
        "years": _years(timezone.localdate().year), "districts": districts,
        "district": district})


def theme(request: HttpRequest, theme: str) -> HttpResponse:
    if theme not in Theme.values:
        raise Http404(_("There is no such theme."))
    year = _year(request)
    result = services.composite(str(year))
    found = next((t for t in result.themes if t.theme == theme), None)
    scores = {i.pk: s for i, _v, s in (found.parts if found else [])}
    trend = []
    for past in _years(year):
        theirs = next((t for t in services.composite(str(past)).themes if t.theme == theme),
                      None)
        trend.append((str(past), theirs.score if theirs else None))
    values = latest_map()
    rows = [(i, values.get(i.pk), scores.get(i.pk))
            for i in Indicator.objects.filter(active=True, theme=theme)]
    return render(request, "index/theme.html", {
        "theme": Theme(theme), "year": year, "score": found, "rows": rows,
        "chart": chart(trend), "trend": trend})


def catalogue(request: HttpRequest) -> HttpResponse:
    values = latest_map()
    rows = [(i, values.get(i.pk)) for i in Indicator.objects.filter(active=True)]
    return render(request, "index/catalogue.html", {"rows": rows})


def _indicator(code: str) -> Indicator:
    try:
        return services.access_indicator(code)
    except ProgressIndexError as error:
        raise Http404(error.message) from None


def indicator(request: HttpRequest, code: str) -> HttpResponse:
    found = _indicator(code)
    this = timezone.localdate().year
    current = {v.period: v for v in Value.objects.filter(
        indicator=found, district="", superseded_at=None)}
    yearly = [(str(y), getattr(current.get(str(y)), "value", None)) for y in _years(this)]
    targets = {t.year: t for t in found.targets.all()}
    periods = sorted(current.values(), key=lambda v: v.period, reverse=True)
    districts = (Value.objects.filter(indicator=found, superseded_at=None)
                 .exclude(district="").order_by("-period", "district")[:40])
    return render(request, "index/indicator.html", {
        "indicator": found, "chart": chart(yearly), "yearly": yearly, "values": periods,
        "targets": [(y, targets[y]) for y in sorted(targets)], "districts": districts,
        "formats": ("csv", "json", "opensdg.csv", "sdmx.csv")})


def lineage(request: HttpRequest, code: str, value_id: int) -> HttpResponse:
    found = _indicator(code)
    value = Value.objects.filter(pk=value_id, indicator=found).first()
    if value is None:
        raise Http404(_("There is no such value."))
    return render(request, "index/lineage.html", {
        "indicator": found, "value": value,
        "history": services.history(found, value.period, value.district)})


def _rows(indicator: Indicator) -> list[dict[str, Any]]:
    return [{"code": indicator.code, "period": v.period, "district": v.district,
             "value": v.value, "unit": indicator.unit, "method": v.method,
             "function": v.function, "function_version": v.function_version,
             "inputs": v.inputs, "source": v.source,
             "recorded_at": v.recorded_at.isoformat()}
            for v in Value.objects.filter(indicator=indicator, superseded_at=None)
            .order_by("period", "district")]


def _csv(rows: list[dict[str, Any]], columns: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore",
                            lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def open_sdg(indicator: Indicator) -> str:
    """Open SDG's tidy CSV: yearly values only, ``Year, Units, District, Value`` with the
    city-wide row's district left empty (its headline)."""
    rows = [{"Year": v["period"], "Units": indicator.unit, "District": v["district"],
             "Value": v["value"]} for v in _rows(indicator) if len(v["period"]) == 4]
    return _csv(rows, ["Year", "Units", "District", "Value"])


def download(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    found = _indicator(code)
    columns = ["code", "period", "district", "value", "unit", "method", "function",
               "function_version", "inputs", "source", "recorded_at"]
    if fmt == "csv":
        body, kind = _csv(_rows(found), columns), "text/csv; charset=utf-8"
    elif fmt == "json":
        body = json.dumps({"code": found.code, "name_uk": found.name_uk,
                           "name_en": found.name_en, "unit": found.unit,
                           "values": _rows(found)}, ensure_ascii=False, indent=1)
        kind = "application/json"
    elif fmt == "opensdg.csv":
        body, kind = open_sdg(found), "text/csv; charset=utf-8"
    elif fmt == "sdmx.csv":
        body, kind = services.sdmx_csv(found), f"{SDMX_MEDIA_TYPE}; charset=utf-8"
    else:
        raise Http404(_("There is no such file."))
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{found.code}.{fmt}"'
    return response


def all_values(request: HttpRequest) -> HttpResponse:
    rows = [{"code": code, "period": period, "district": district, "value": value,
             "method": method} for code, period, district, value, method in
            Value.objects.filter(superseded_at=None).order_by(
                "indicator__code", "period", "district").values_list(
                "indicator__code", "period", "district", "value", "method")]
    response = HttpResponse(_csv(rows, ["code", "period", "district", "value", "method"]),
                            content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="index-values.csv"'
    return response


def all_values_sdmx(request: HttpRequest) -> HttpResponse:
    """Every current value as an SDMX-CSV 2.0 data message (``services.sdmx``)."""
    response = HttpResponse(services.sdmx_csv(),
                            content_type=f"{SDMX_MEDIA_TYPE}; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="index-values.sdmx.csv"'
    return response


def coverage(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    periods = [str(year)] + [f"{year}-Q{q}" for q in range(1, 5)]
    rows = services.coverage(periods)
    return render(request, "index/coverage.html", {
        "year": year, "periods": periods, "rows": rows, "counts": services.summary(periods),
        "years": _years(timezone.localdate().year), "methods": Method})


def reports(request: HttpRequest) -> HttpResponse:
    return render(request, "index/reports.html",
                  {"reports": Report.objects.defer("pdf", "xlsx")})


def report_file(request: HttpRequest, report_id: int, fmt: str) -> HttpResponse:
    try:
        report = services.access_report(report_id)
    except ProgressIndexError as error:
        raise Http404(error.message) from None
    if fmt == "pdf":
        response = HttpResponse(bytes(report.pdf), content_type="application/pdf")
    elif fmt == "xlsx":
        response = HttpResponse(bytes(report.xlsx), content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    else:
        raise Http404(_("There is no such file."))
    response["Content-Disposition"] = (
        f'attachment; filename="monitoring-report-{report.year}.{fmt}"')
    return response


def _mine(user: Any) -> list[Indicator]:
    """The entered and imported indicators the user may enter (their department's)."""
    pairs = scope_filter(user, "index.value.enter")
    rows = Indicator.objects.filter(active=True).exclude(method=Method.COMPUTED)
    if pairs is None:
        return list(rows)
    departments = {department for department, _district in pairs}
    return list(rows) if "" in departments else list(rows.filter(department__in=departments))


@login_required
def staff(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, "index.report.generate")
    year = _year(request)
    mine = _mine(user) if can(user, "index.value.enter") else []
    actual = {v.indicator_id: v for v in Value.objects.filter(
        period=str(year), district="", superseded_at=None, indicator__in=mine)}
    planned = {t.indicator_id: t for t in Target.objects.filter(year=year,
                                                                indicator__in=mine)}
    return render(request, "index/staff.html", {
        "year": year, "years": _years(timezone.localdate().year),
        "rows": [(i, actual.get(i.pk), planned.get(i.pk)) for i in mine],
        "missing": services.missing_entered(year - 1) if timezone.localdate().month == 1
        else [], "can_report": can(user, "index.report.generate"),
        "can_import": can(user, "index.value.import"),
        "reports": Report.objects.filter(year=year).defer("pdf", "xlsx")[:5]})


def _number(raw: str) -> float:
    try:
        return float(raw.replace(",", ".").replace(" ", ""))
    except ValueError:
        raise ProgressIndexError(IndexCode.OUT_OF_RANGE,
                                 _("The value is not a number.")) from None


def _back(request: HttpRequest) -> HttpResponse:
    year = request.POST.get("year") or request.POST.get("period", "")[:4]
    return see_other(reverse("index:staff") + (f"?year={year}" if year.isdigit() else ""))


def _mine_to(request: HttpRequest, action: str) -> Indicator:
    """The posted indicator if the user may ``action`` it; a 403 page for a role without the
    action, the same 404 for another department's indicator as for a missing one."""
    require(request.user, action)
    try:
        return services.access_for(request.user, request.POST.get("code", "")[:32], action)
    except ProgressIndexError as error:
        raise Http404(error.message) from None


@login_required
@require_POST
def staff_value(request: HttpRequest) -> HttpResponse:
    indicator = _mine_to(request, "index.value.enter")
    code = indicator.code
    try:
        services.do_enter(request.user, services.check_entry(
            indicator, request.POST.get("period", "")[:8],
            _number(request.POST.get("value", "")), request.POST.get("source", "")[:300]))
    except ProgressIndexError as error:
        messages.error(request, f"{code}: {error.message}")
    else:
        messages.success(request, _("%(code)s: the value is saved.") % {"code": code})
    return _back(request)


@login_required
@require_POST
def staff_target(request: HttpRequest) -> HttpResponse:
    indicator = _mine_to(request, "index.target.set")
    code = indicator.code
    try:
        year = int(request.POST.get("year", "0"))
        services.do_set_target(request.user, services.check_target(
            indicator, year, _number(request.POST.get("value", "")),
            request.POST.get("source", "")[:300]))
    except ValueError:
        messages.error(request, _("A target is set for a year between 2000 and 2100."))
    except ProgressIndexError as error:
        messages.error(request, f"{code}: {error.message}")
    else:
        messages.success(request, _("%(code)s: the target is saved.") % {"code": code})
    return _back(request)


@login_required
@require_POST
def staff_import(request: HttpRequest) -> HttpResponse:
    require(request.user, "index.value.import")
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file to import."))
        return _back(request)
    try:
        text = services.read_upload(upload, 2 * 1024 * 1024)
        count = services.do_import(request.user, services.check_import(
            request.user, text, upload.name or "import.csv"))
    except BadRows as error:
        messages.error(request, " ".join([error.message, *error.rows[:20]]))
    else:
        messages.success(request, _("Imported %(count)s values.") % {"count": count})
    return _back(request)


@login_required
@require_POST
def staff_report(request: HttpRequest) -> HttpResponse:
    require(request.user, "index.report.generate")
    try:
        year = int(request.POST.get("year", "0"))
        report = services.generate(request.user, year)
    except ValueError:
        messages.error(request, _("A report is made for a year that has begun."))
        return _back(request)
    except ProgressIndexError as error:
        messages.error(request, error.message)
        return _back(request)
    messages.success(request, _("The report for %(year)s is ready: %(achieved)s of "
                                "%(planned)s targets achieved.") % {
        "year": report.year, "achieved": report.achieved, "planned": report.planned})
    return _back(request)

