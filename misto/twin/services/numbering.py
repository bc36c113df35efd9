"""Numbered landmarks: a public number ("12-0457") to its feature or to its place, and
giving a layer's features their numbers.

A number is what a resident reads off a pole, a manhole or a tree and types into a report,
so numbers are unique and never reused, even after the feature is retired.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from misto.core.bus import publish
from misto.twin import builtin
from misto.twin.events import LandmarksNumbered
from misto.twin.models import Feature, FeatureVersion, Layer
from misto.twin.services.dialect import is_postgres
from misto.twin.services.features import touch
from misto.twin.services.layers import layer_code
from misto.twin.text import normalise_number


def landmark(number: str) -> Feature | None:
    """The current feature carrying a public number ("12-0457"), or None."""
    key = normalise_number(number)
    if not key:
        return None
    return (Feature.objects.select_related("layer")
            .filter(number=key, retired_at__isnull=True).order_by().first())


@dataclass(frozen=True)
class Landmark:
    """Where a numbered landmark is: what "number -> location" answers."""

    feature_id: int
    layer: str
    number: str
    kind: str
    lon: float
    lat: float


_NUMBER_SQL = """
SELECT f.id, f.layer_id, f.number, {kind}, {x}, {y}
FROM twin_feature f WHERE f.number = %s AND f.retired_at IS NULL
"""


def landmark_location(number: str) -> Landmark | None:
    """Number -> location in one indexed query (a point on the surface for areas)."""
    key = normalise_number(number)
    if not key:
        return None
    if is_postgres():
        sql = _NUMBER_SQL.format(kind="COALESCE(f.properties ->> 'kind', '')",
                                 x="ST_X(ST_PointOnSurface(f.geometry))",
                                 y="ST_Y(ST_PointOnSurface(f.geometry))")
    else:
        sql = _NUMBER_SQL.format(kind="COALESCE(json_extract(f.properties, '$.kind'), '')",
                                 x="X(ST_PointOnSurface(f.geometry))",
                                 y="Y(ST_PointOnSurface(f.geometry))")
    with connection.cursor() as cursor:
        cursor.execute(sql, [key])
        row = cursor.fetchone()
    if row is None:
        return None
    return Landmark(row[0], layer_code(row[1]), row[2], row[3] or "", row[4], row[5])


@dataclass(frozen=True)
class NumberingResult:
    numbered: int
    outside: int  # landmarks outside every district (numbered with the prefix "00")


def number_prefix(layer: Layer, district_prefix: str) -> str:
    settings = {"prefix": "{district}-", "digits": 4, **(layer.numbering or {})}
    return str(settings["prefix"]).format(district=district_prefix, layer=layer.code)


def number_layer(layer: Layer, *, user: Any = None, renumber: bool = False) -> NumberingResult:
    """Give every unnumbered current feature of the layer its public number.

    A number is the layer's prefix (by default the district's prefix and a dash) and a
    zero-padded sequence that continues after the highest number already given under that
    prefix, so numbers stay unique and are never reused. Existing numbers are kept unless
    ``renumber`` (which only renumbers features that have no history of being seen).
    """
    digits = int({"digits": 4, **(layer.numbering or {})}["digits"])
    outside = 0
    numbered = 0
    with transaction.atomic():
        targets = Feature.objects.select_for_update().filter(layer=layer,
                                                            retired_at__isnull=True)
        if renumber:
            targets.update(number=None)
        pending = list(targets.filter(number__isnull=True).order_by("pk"))
        if not pending:
            return NumberingResult(0, 0)
        by_prefix: dict[str, list[Feature]] = {}
        district_rows = list(Feature.objects.filter(
            layer__code=builtin.DISTRICTS, retired_at__isnull=True))
        for feature in pending:
            point = feature.geometry.point_on_surface
            prefix_code = "00"
            for district in district_rows:
                if district.geometry.intersects(point):
                    prefix_code = str(district.properties.get("prefix", "00"))
                    break
            else:
                outside += 1
            by_prefix.setdefault(number_prefix(layer, prefix_code), []).append(feature)
        for prefix, features in by_prefix.items():
            start = _highest_sequence(prefix) + 1
            for offset, feature in enumerate(features):
                feature.number = f"{prefix}{start + offset:0{digits}d}"
            with connection.cursor() as cursor:
                cursor.executemany("UPDATE twin_feature SET number = %s WHERE id = %s",
                                   [(feature.number, feature.pk) for feature in features])
            touch()
            numbered += len(features)
        publish(LandmarksNumbered(layer=layer.code, count=numbered))
    return NumberingResult(numbered, outside)


def _highest_sequence(prefix: str) -> int:
    taken = Feature.objects.filter(number__startswith=prefix).values_list("number", flat=True)
    best = 0
    for number in taken:
        tail = (number or "")[len(prefix):]
        if tail.isdigit():
            best = max(best, int(tail))
    for number in FeatureVersion.objects.filter(number__startswith=prefix).values_list(
            "number", flat=True):
        tail = (number or "")[len(prefix):]
        if tail.isdigit():
            best = max(best, int(tail))
    return best
