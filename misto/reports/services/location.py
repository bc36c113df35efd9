"""Where a problem is: a landmark number, coordinates or an address resolved to a point in
a district, and the spatial queries near it (bounding box, open reports nearby). Kept apart so
that submitting and reading share one reading of the twin's geography.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.contrib.gis.geos import Polygon
from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from misto import twin
from misto.reports.errors import ReportError, ReportsCode
from misto.reports.models import (
    OPEN_STATUSES,
    Category,
    Report,
)

EARTH_M_PER_DEGREE = 111_320.0
NEARBY_METRES = 150.0
# The address column's size: a longer address is refused, never cut.
ADDRESS_LIMIT = 300


@dataclass(frozen=True)
class Place:
    lon: float
    lat: float
    district: str
    district_name: str
    address: str = ""
    landmark: str = ""


def _float(value: Any, name: str) -> float:
    try:
        number = float(str(value).strip().replace(",", "."))
    except (TypeError, ValueError) as error:
        raise ReportError(ReportsCode.BAD_COORDINATES, _("%(name)s must be a number, got “%(v)s”.")
                          % {"name": name, "v": str(value)[:40]}, field="location") from error
    if not math.isfinite(number):
        raise ReportError(ReportsCode.BAD_COORDINATES, _("%(name)s must be a finite number.")
                          % {"name": name}, field="location")
    return number


def resolve_place(*, lon: Any = None, lat: Any = None, landmark: str = "",
                  address: str = "") -> Place:
    """Where the problem is, from a landmark number, coordinates or an address (in that
    order of precedence). Raises :class:`ReportError` when none fits or it is outside."""
    landmark = (landmark or "").strip()
    address = (address or "").strip()
    if len(address) > ADDRESS_LIMIT:
        raise ReportError(ReportsCode.BAD_REQUEST, _(
            "The address is longer than %(limit)d characters."
        ) % {"limit": ADDRESS_LIMIT}, field="address")
    number = ""
    if landmark:
        feature = twin.landmark(landmark)
        if feature is None:
            raise ReportError(ReportsCode.UNKNOWN_LANDMARK, _(
                "No landmark has the number “%(number)s”. Check the plate on the pole, "
                "manhole or tree (e.g. 12-0457)."
            ) % {"number": landmark[:32]}, field="landmark")
        point = feature.geometry.point_on_surface
        x, y, number = point.x, point.y, feature.number or landmark
    elif lon not in (None, "") and lat not in (None, ""):
        x, y = _float(lon, "lon"), _float(lat, "lat")
        try:
            twin.check_lon_lat(x, y)
        except twin.TwinError as error:
            raise ReportError(ReportsCode.BAD_COORDINATES, error.message,
                              field="location") from error
    elif address:
        hits = twin.search(address, limit=5)
        preferred = [hit for hit in hits if hit.kind in ("address", "landmark")] or hits
        if not preferred:
            raise ReportError(ReportsCode.ADDRESS_NOT_FOUND, _(
                "The address “%(address)s” was not found in the city."
            ) % {"address": address[:100]}, field="address")
        hit = preferred[0]
        x, y = hit.lon, hit.lat
        number = hit.number or "" if hit.kind == "landmark" else ""
    else:
        raise ReportError(ReportsCode.NO_LOCATION, _(
            "Say where the problem is: click the map, use your location, type an address "
            "or the landmark number."), field="location")
    where = twin.locate(x, y, n=0)
    district, near = where.district, where.address
    if district is None:
        raise ReportError(ReportsCode.OUTSIDE_CITY, _(
            "The place (%(lon).5f, %(lat).5f) is outside the city's districts."
        ) % {"lon": x, "lat": y}, field="location")
    found_address = near.name if near is not None and near.distance_m < 150 else ""
    return Place(x, y, district.katottg, district.name, address or found_address, number)


def check_point(lon: float, lat: float) -> None:
    """Coordinates a query can use: finite and on the globe (else ``bad_coordinates``)."""
    try:
        twin.check_lon_lat(lon, lat)
    except twin.TwinError as error:
        raise ReportError(ReportsCode.BAD_COORDINATES, error.message, field="location") from error


def nearby_open(category: Category | str, lon: float, lat: float,
                radius_m: float = NEARBY_METRES, limit: int = 5,
                exclude: int | None = None) -> list[tuple[Report, float]]:
    """Open, visible reports of the same category within ``radius_m``, nearest first."""
    check_point(lon, lat)
    code = category.code if isinstance(category, Category) else category
    dlat = radius_m / EARTH_M_PER_DEGREE
    dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
    rows = in_bbox((lon - dlon, lat - dlat, lon + dlon, lat + dlat)).filter(
        category__code=code, status__in=OPEN_STATUSES, hidden=False)
    if exclude:
        rows = rows.exclude(pk=exclude)
    found = []
    for report in rows.select_related("category")[:200]:
        metres = twin.distance_m(lon, lat, report.location.x, report.location.y)
        if metres <= radius_m:
            found.append((report, metres))
    found.sort(key=lambda pair: pair[1])
    return found[:limit]


def check_bbox(text: str) -> tuple[float, float, float, float]:
    """A ``bbox`` filter read by the twin's one parser, refused as ``bad_request``."""
    try:
        return twin.parse_bbox(text)
    except twin.TwinError as error:
        raise ReportError(ReportsCode.BAD_REQUEST, error.message, field="bbox") from error


def in_bbox(bbox: tuple[float, float, float, float]) -> QuerySet[Report]:
    """Reports whose location is inside (west, south, east, north), via the spatial index."""
    west, south, east, north = bbox
    rows = Report.objects.all()
    if connection.vendor == "postgresql":
        return rows.filter(location__bboverlaps=Polygon.from_bbox(bbox))
    return rows.filter(pk__in=RawSQL(
        "SELECT ROWID FROM SpatialIndex WHERE f_table_name = 'reports_report' AND "
        "f_geometry_column = 'location' AND search_frame = BuildMbr(%s, %s, %s, %s)",
        (west, south, east, north),
    ))
