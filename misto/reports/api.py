"""The reports' JSON API at ``/api/reports/`` (public reads; the map and the form use it)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router

from misto.reports import services
from misto.reports.errors import ReportError, ReportsCode
from misto.reports.models import Report, Status

router = Router(tags=["reports"])
MAP_LIMIT = 5000


def _day(value: str, name: str, end: bool = False) -> datetime | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError as error:
        raise ReportError(ReportsCode.BAD_REQUEST, _("%(name)s must be a date like 2026-05-01.")
                          % {"name": name}) from error
    moment = datetime.combine(day, time.max if end else time.min)
    return timezone.make_aware(moment)


def filters_from(params: Any) -> services.Filters:
    """Filters from query parameters (shared by this API and the pages)."""
    return services.Filters(
        category=str(params.get("category") or "")[:64],
        status=str(params.get("status") or "")[:20],
        district=str(params.get("district") or "")[:32],
        since=_day(str(params.get("since") or ""), "since"),
        until=_day(str(params.get("until") or ""), "until", end=True),
        bbox=services.check_bbox(str(params["bbox"])) if params.get("bbox") else None,
    )


def feature(report: Report) -> dict[str, Any]:
    return {
        "type": "Feature", "id": report.public_id,
        "geometry": {"type": "Point", "coordinates": [report.location.x, report.location.y]},
        "properties": {
            "public_id": report.public_id, "category": report.category.code,
            "category_title": services.category_title(report.category),
            "status": report.status, "status_label": report.get_status_display(),
            "district": report.district, "address": report.address,
            "created_at": report.created_at.isoformat(), "url": services.report_url(report),
        },
    }


@router.get("/reports", summary="Reports as GeoJSON (filters: bbox, category, status, "
            "district, since, until)")
def report_list(request: HttpRequest) -> HttpResponse:
    points = services.map_points(filters_from(request.GET), MAP_LIMIT)
    labels = dict(Status.choices)
    features = [{
        "type": "Feature", "id": p["public_id"],
        "geometry": {"type": "Point", "coordinates": [p["lon"], p["lat"]]},
        "properties": {
            "public_id": p["public_id"], "category": p["category"],
            "category_title": services.localized(p["category_title"], p["category_title_en"]),
            "status": p["status"], "status_label": str(labels.get(p["status"], "")),
            "url": reverse("reports:detail", args=[p["public_id"]]),
        }} for p in points]
    return JsonResponse({"type": "FeatureCollection", "features": features},
                        json_dumps_params={"ensure_ascii": False})


@router.get("/reports/{public_id}", summary="One report with its public history")
def report_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    report = services.access_report(request.user, public_id)
    data = feature(report)
    data["properties"]["description"] = report.shown_description
    data["properties"]["history"] = [
        {"kind": c.kind, "status": c.status, "note": c.note, "at": c.at.isoformat()}
        for c in services.history(report)]
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


@router.get("/nearby", summary="Open reports of a category near a point")
def nearby(request: HttpRequest, category: str, lon: float, lat: float) -> HttpResponse:
    found = services.nearby_open(category, lon, lat)
    return JsonResponse({"type": "FeatureCollection", "features": [
        {**feature(r), "properties": {**feature(r)["properties"], "distance_m": round(d)}}
        for r, d in found]}, json_dumps_params={"ensure_ascii": False})


@router.get("/categories", summary="The category tree with target times")
def categories(request: HttpRequest) -> list[dict[str, Any]]:
    return [{"code": c.code, "title": services.category_title(c),
             "group": services.category_title(c.parent) if c.parent else "",
             "sla_hours": c.sla_hours, "twin_layers": c.twin_layers}
            for c in services.leaf_categories()]
