"""The shapes the reports' JSON API answers with and the filters it reads, declared once so
that they appear in the OpenAPI schema (and the fuzzer checks every answer against them)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, Literal

from django.utils import timezone
from ninja import Field, Schema
from pydantic import field_validator

from misto.reports.services import Filters, check_bbox

# The ``status`` filter: a status (misto.reports.models.Status) or every open / closed one.
StatusFilter = Literal["open", "closed", "new", "accepted", "in_progress", "resolved",
                       "rejected", "duplicate"]


EARLIEST, LATEST = date(1900, 1, 1), date(9999, 12, 30)


class ReportFilters(Schema):
    """The map's filters. The map page passes its form as it is, so an empty value means
    "not filtered" rather than invalid input."""

    bbox: str | None = Field(None, max_length=200, description="west,south,east,north in "
                             "degrees (WGS 84)", examples=["35.10,47.80,35.20,47.85"])
    category: str | None = Field(None, max_length=64,
                                 description="a category code, or a group's for all of it")
    status: StatusFilter | None = None
    district: str | None = Field(None, max_length=32, description="a district's KATOTTG code")
    # Bounded so that the day's start in the city's time zone is a datetime in any zone.
    since: date | None = Field(None, ge=EARLIEST, le=LATEST,
                               description="reported on or after this day")
    until: date | None = Field(None, ge=EARLIEST, le=LATEST,
                               description="reported on or before this day")

    @field_validator("*", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        return None if value == "" else value

    def filters(self) -> Filters:
        """The services' filters; a malformed ``bbox`` is a ``bad_request`` (400)."""
        return Filters(
            category=self.category or "", status=self.status or "",
            district=self.district or "", since=_start(self.since),
            until=_start(self.until + timedelta(days=1)) if self.until else None,
            bbox=check_bbox(self.bbox) if self.bbox else None,
        )


def _start(day: date | None) -> datetime | None:
    """Midnight at the start of ``day`` in the city's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min)) if day else None


class Point(Schema):
    type: Literal["Point"]
    coordinates: list[float] = Field(min_length=2, max_length=2, description="[lon, lat]")


class MapProperties(Schema):
    public_id: str
    category: str
    category_title: str
    status: str
    status_label: str
    url: str


class ReportProperties(MapProperties):
    district: str
    address: str
    created_at: str


class NearbyProperties(ReportProperties):
    distance_m: int = Field(description="metres from the given point")


class HistoryLine(Schema):
    kind: str
    status: str
    note: str
    at: str


class DetailProperties(ReportProperties):
    description: str
    history: list[HistoryLine]


class MapFeature(Schema):
    type: Literal["Feature"]
    id: str
    geometry: Point
    properties: MapProperties


class MapCollection(Schema):
    type: Literal["FeatureCollection"]
    features: list[MapFeature]


class NearbyFeature(MapFeature):
    properties: NearbyProperties


class NearbyCollection(Schema):
    type: Literal["FeatureCollection"]
    features: list[NearbyFeature]


class ReportDetail(MapFeature):
    properties: DetailProperties


class CategoryOut(Schema):
    code: str
    title: str
    group: str
    sla_hours: int
    twin_layers: list[str]
