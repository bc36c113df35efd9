"""Reading reports: public lists and the map, one report, its photos, answers, history and
the summary other modules get (no personal data). Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import FloatField, Func, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from misto.core.permissions import can
from misto.reports.errors import ReportError, ReportsCode
from misto.reports.models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    Change,
    Photo,
    Report,
)
from misto.reports.permissions import REPORT_VIEW
from misto.reports.services.catalogue import catalogue
from misto.reports.services.categories import localized
from misto.reports.services.location import in_bbox


def report_url(report: Report) -> str:
    return reverse("reports:detail", args=[report.public_id])


@dataclass
class Filters:
    category: str = ""
    status: str = ""  # a status, or "open" / "closed"
    district: str = ""
    since: datetime | None = None
    until: datetime | None = None
    bbox: tuple[float, float, float, float] | None = None


def public_reports(filters: Filters) -> QuerySet[Report]:
    rows = Report.objects.filter(hidden=False)
    if filters.bbox:
        rows = in_bbox(filters.bbox).filter(hidden=False)
    if filters.category:
        rows = rows.filter(Q(category__code=filters.category)
                           | Q(category__parent__code=filters.category))
    if filters.status == "open":
        rows = rows.filter(status__in=OPEN_STATUSES)
    elif filters.status == "closed":
        rows = rows.filter(status__in=CLOSED_STATUSES)
    elif filters.status:
        rows = rows.filter(status=filters.status)
    if filters.district:
        rows = rows.filter(district=filters.district)
    if filters.since:
        rows = rows.filter(created_at__gte=filters.since)
    if filters.until:
        rows = rows.filter(created_at__lt=filters.until)
    return rows.select_related("category", "department")


@dataclass(frozen=True)
class MapPoints:
    """What the map draws: ``rows`` of (public id, lon, lat, status, category id) as the
    database hands them over (no object or dict built per report), and ``categories``,
    the category tree by id, to name them."""

    rows: list[tuple[str | None, float, float, str, int]]
    categories: Mapping[int, Any]

    def __len__(self) -> int:
        return len(self.rows)


def map_points(filters: Filters, limit: int = 5000) -> MapPoints:
    """The map's reports, a few columns each, coordinates read by the database (no
    geometry objects built per row). With a bbox the spatial index drives the query and
    no ordering is imposed (an ORDER BY would let SQLite walk the date index instead);
    without one, the newest ``limit`` reports. The ORM writes the query; its rows are
    fetched whole (thousands of rows through the ORM's iterator cost a third of the
    query's own time)."""
    rows = public_reports(filters).select_related(None)
    rows = rows.order_by() if filters.bbox else rows.order_by("-created_at")
    categories = catalogue().categories  # the tree in memory: no query per map request
    found = rows.annotate(
        lon=Func("location", function="ST_X", output_field=FloatField()),
        lat=Func("location", function="ST_Y", output_field=FloatField()),
    ).values_list("public_id", "lon", "lat", "status", "category_id")[:limit]
    sql, params = found.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return MapPoints(cursor.fetchall(), categories)


def get_report(public_id: str) -> Report:
    report = (Report.objects.select_related("category", "department", "duplicate_of")
              .filter(public_id=str(public_id)[:20]).first())
    if report is None:
        raise ReportError(ReportsCode.NOT_FOUND, _("There is no report “%(id)s”.")
                          % {"id": str(public_id)[:20]}, status=404)
    return report


def access_report(user: Any, public_id: str, action: str | None = None) -> Report:
    """The report numbered ``public_id`` as ``user`` may reach it: fetch and check in one call.

    A shown report is everyone's to read; a hidden one only theirs who may view it
    (``reports.report.view``: its clerks, dispatchers, moderators, auditors, its author).
    Missing or hidden from ``user``, the answer is the same 404 with the same words, so
    nobody learns that a hidden report exists. With ``action`` (e.g. ``reports.report.change``)
    ``user`` must also be allowed that on the report, or it is a 403: they can see it."""
    report = (Report.objects.select_related("category", "department", "duplicate_of")
              .filter(public_id=str(public_id)[:20]).first())
    if report is None or (report.hidden and not can(user, REPORT_VIEW, report)):
        raise ReportError(ReportsCode.NOT_FOUND, _("There is no report “%(id)s”.")
                          % {"id": str(public_id)[:20]}, status=404)
    if action is not None and not can(user, action, report):
        raise ReportError(ReportsCode.FORBIDDEN, _("You may not do this with report %(id)s.")
                          % {"id": report.public_id}, status=403)
    return report


def access_photo(user: Any, photo_id: int) -> Photo:
    """A photo ``user`` may see: anyone a public one (shown, of a shown report), otherwise
    those who may view the report. The same 404 whether it is missing or not theirs."""
    photo = Photo.objects.select_related("report", "report__department").filter(
        pk=photo_id).first()
    if photo is None or not (photo.is_public or can(user, REPORT_VIEW, photo.report)):
        raise ReportError(ReportsCode.NOT_FOUND, _("There is no such photo."), status=404)
    return photo


def answer_labels(report: Report) -> list[tuple[str, str]]:
    """The report's answers as (question, answer) in the reader's language."""
    rows = []
    questions = {a.code: a for a in report.category.attributes.all()}
    for code, value in (report.attributes or {}).items():
        attribute = questions.get(code)
        if attribute is None:
            rows.append((code, str(value)))
            continue
        names = {str(v.get("key")): localized(str(v.get("name", "")), str(v.get("name_en", "")))
                 for v in attribute.values}
        values = value if isinstance(value, list) else [value]
        rows.append((localized(attribute.description, attribute.description_en),
                     ", ".join(names.get(str(v), str(v)) for v in values)))
    return rows


def history(report: Report, *, staff: bool = False) -> QuerySet[Change]:
    rows = report.changes.select_related("actor")
    return rows if staff else rows.filter(public=True)


def report_summary(report_id: int) -> dict[str, Any] | None:
    """The public view of one report, for other modules (no personal data)."""
    report = Report.objects.select_related("category").filter(pk=report_id).first()
    if report is None or report.hidden:
        return None
    return {"public_id": report.public_id, "category": report.category.code,
            "category_title": report.category.title, "status": report.status,
            "district": report.district or None, "lon": report.location.x,
            "lat": report.location.y, "url": report_url(report)}
