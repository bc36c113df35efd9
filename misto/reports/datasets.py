"""The reports module's open datasets (``MistoModule.datasets``), anonymised here, where the
data lives: no text a resident wrote, no author, the place coarsened to a grid cell of about
500 m, and in the counts table any count under ``SMALL`` suppressed (a lone report in a
district and category could point at the person who made it)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from django.utils import timezone

from misto.core.registry import Column, OpenDataset, OpenTable
from misto.reports.models import Report

GRID = 0.005  # degrees: ~550 m north-south, ~350 m east-west at 50° N
SMALL = 3


def _cell(value: float) -> float:
    """The centre of the grid cell holding ``value``."""
    return round((value // GRID) * GRID + GRID / 2, 4)


def _public() -> Any:
    return (Report.objects.filter(hidden=False, public_id__isnull=False, duplicate_of=None)
            .select_related("category").order_by("public_id"))


def reports() -> Iterator[dict[str, Any]]:
    for report in _public():
        lon, lat = _cell(report.location.x), _cell(report.location.y)
        yield {"number": report.public_id, "category": report.category.code,
               "category_title": report.category.title, "status": report.status,
               "district": report.district, "district_name": report.district_name,
               "reported_on": timezone.localdate(report.created_at),
               "closed_on": timezone.localdate(report.closed_at) if report.closed_at else None,
               "cell_lon": lon, "cell_lat": lat,
               "geometry": {"type": "Point", "coordinates": [lon, lat]}}


def counts() -> Iterator[dict[str, Any]]:
    tally = Counter((report.district, report.category.code, report.status)
                    for report in _public())
    for (district, category, status), count in sorted(tally.items()):
        yield {"district": district, "category": category, "status": status,
               "reports": count if count >= SMALL else None}


DATASETS = (
    OpenDataset(
        name="reports", title="Звернення про проблеми в місті",
        title_en="Reports of problems in the city",
        description="Звернення мешканців (ями, освітлення, сміття...) зі статусом і районом; "
                    "без тексту та авторів, місце узагальнено до клітинки сітки ~500 м.",
        description_en="Residents' reports (potholes, lights, waste...) with their status and "
                       "district; no text or authors, the place coarsened to a ~500 m grid.",
        publisher="council", theme="GOVE", keywords=("звернення", "ЖКГ", "Open311"),
        frequency="DAILY", resolution_835="all-005",
        stale_on=("reports.ReportCreated", "reports.ReportStatusChanged"),
        tables=(
            OpenTable("reports", "Звернення", "Reports", (
                Column("number", "string", "Номер", "Number"),
                Column("category", "string", "Категорія (код)", "Category code"),
                Column("category_title", "string", "Категорія", "Category"),
                Column("status", "string", "Статус", "Status"),
                Column("district", "string", "Район (КАТОТТГ)", "District (KATOTTG)"),
                Column("district_name", "string", "Район", "District"),
                Column("reported_on", "date", "Дата звернення", "Reported on"),
                Column("closed_on", "date", "Дата закриття", "Closed on"),
                Column("cell_lon", "number", "Довгота клітинки", "Grid cell longitude",
                       "degree"),
                Column("cell_lat", "number", "Широта клітинки", "Grid cell latitude",
                       "degree"),
            ), reports, geometry=True),
            OpenTable("counts", "Кількість за районом і категорією",
                      "Counts by district and category", (
                          Column("district", "string", "Район (КАТОТТГ)", "District"),
                          Column("category", "string", "Категорія", "Category"),
                          Column("status", "string", "Статус", "Status"),
                          Column("reports", "integer", "Звернень (менше 3 приховано)",
                                 "Reports (under 3 suppressed)", "reports"),
                      ), counts),
        )),
)
