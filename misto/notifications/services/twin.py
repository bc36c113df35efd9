"""The twin, through its public functions: districts, drawn areas, buildings.

Subscriptions and announcements both turn addresses, district codes and drawn areas into the
twin's geography; they read it only here, through ``misto.twin``'s public functions, so the
dependency on the twin stays in one place.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.utils.translation import gettext as _

from misto import twin
from misto.core.i18n import localized
from misto.notifications.errors import NotificationError, NotificationsCode


def district_codes(language: str | None = None) -> dict[str, str]:
    """KATOTTG code -> district name, from the twin, in ``language`` (the reader's by
    default; Ukrainian where the twin has no English name)."""
    return {d.katottg: localized(d, "name", language) for d in twin.districts() if d.katottg}


def check_districts(codes: Iterable[str]) -> list[str]:
    known = district_codes()
    wanted = list(dict.fromkeys(code.strip() for code in codes if code and code.strip()))
    unknown = [code for code in wanted if code not in known]
    if unknown:
        raise NotificationError(NotificationsCode.BAD_DISTRICT,
                                _("Unknown district code(s): %(codes)s")
                                % {"codes": ", ".join(unknown)})
    return wanted


def parse_area(value: str | dict[str, Any] | GEOSGeometry | None) -> MultiPolygon:
    """A drawn area (GeoJSON Polygon/MultiPolygon, a Feature of one, or WKT) as MultiPolygon,
    read by the twin's one area reader."""
    if value is None or value == "" or value == {}:
        raise NotificationError(NotificationsCode.BAD_AREA, _("Draw an area on the map."))
    try:
        return twin.as_multipolygon(twin.parse_area(value))
    except twin.TwinError as error:
        raise NotificationError(NotificationsCode.BAD_AREA, error.message) from error


def districts_area(codes: Sequence[str]) -> MultiPolygon | None:
    """The union of these districts (the twin's), or None when none is known."""
    return twin.districts_union(codes)


def districts_touching(area: GEOSGeometry) -> list[str]:
    """The KATOTTG codes of the districts an area meets (the twin's)."""
    return twin.districts_touching(area)


def buildings_in(area: GEOSGeometry) -> list[tuple[int, str]]:
    """The twin's buildings an area covers: (feature id, address label)."""
    rows = twin.features_within(area, "buildings").order_by("pk")
    return [(row.pk, _building_label(row)) for row in rows.only("pk", "name", "properties")]


def _building_label(feature: Any) -> str:
    props = feature.properties or {}
    street, house = props.get("street", ""), props.get("housenumber", "")
    return f"{street} {house}".strip() or feature.name or str(feature.pk)


def buildings_by_id(ids: Sequence[int]) -> list[Any]:
    rows = twin.features_in_bbox((-180.0, -90.0, 180.0, 90.0), layers=["buildings"])
    return list(rows.filter(pk__in=list(ids)))
