"""Where a point lies in the city, read from the twin's public functions.

Correlation (the same street), device states (their district) and emergencies and figures
(district names) all need the same few geographic facts; they get them here, once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from misto import twin


def _valid_lon_lat(lon: Any, lat: Any) -> tuple[float, float] | None:
    try:
        x, y = float(lon), float(lat)
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(x) and math.isfinite(y)) or not (-180 <= x <= 180 and -90 <= y <= 90):
        return None
    return x, y


@dataclass
class Place:
    district: str = ""
    district_name: str = ""
    address: str = ""
    street: str = ""
    landmark: str = ""


def describe_place(lon: float, lat: float) -> Place:
    """District, nearest address, street and landmark of a point, from the twin."""
    try:
        where = twin.locate(lon, lat, 1)
    except twin.TwinError:
        return Place()
    place = Place()
    if where.district is not None:
        place.district = where.district.katottg
        place.district_name = where.district.name
    if where.address is not None and where.address.distance_m <= 150:
        place.address = where.address.name
        place.street = street_of(where.address.name)
    if where.landmarks and where.landmarks[0].distance_m <= 50:
        place.landmark = where.landmarks[0].number or ""
    return place


def street_of(address: str) -> str:
    """The street part of "street, house" (lower-cased, for comparing)."""
    return address.rsplit(",", 1)[0].strip().lower() if address else ""


def _district_names() -> dict[str, str]:
    return {d.katottg: d.name for d in twin.districts()}
