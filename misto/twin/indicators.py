"""Indicators the digital twin computes for the City Progress Index
(``MistoModule.indicators``): what the twin holds, as it stood at the period's end, and how
much it was kept up to date during the period."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.db.models import Q, QuerySet

from misto.core.registry import IndicatorFunction, Measure
from misto.twin import builtin
from misto.twin.models import Feature, FeatureVersion, Layer, Visibility

Compute = Callable[[datetime, datetime, str | None], Measure]


def _live(end: datetime) -> QuerySet[Feature]:
    return Feature.objects.filter(Q(retired_at__isnull=True) | Q(retired_at__gte=end),
                                  valid_from__lt=end)


def _first_version_before(end: datetime) -> QuerySet[Feature]:
    """Features that existed at ``end``: their first version started before it (a later
    edit moves ``valid_from``, so the current row alone would undercount)."""
    edited_before = FeatureVersion.objects.filter(valid_from__lt=end).values("feature_id")
    return Feature.objects.filter(Q(retired_at__isnull=True) | Q(retired_at__gte=end)).filter(
        Q(valid_from__lt=end) | Q(pk__in=edited_before))


def _layer(code: str) -> Compute:
    def count(start: datetime, end: datetime, district: str | None) -> Measure:
        found = _first_version_before(end).filter(layer__code=code).count()
        return Measure(float(found), found)
    return count


def features(start: datetime, end: datetime, district: str | None) -> Measure:
    found = _first_version_before(end).count()
    return Measure(float(found), found)


def public_layers(start: datetime, end: datetime, district: str | None) -> Measure:
    found = Layer.objects.filter(visibility=Visibility.PUBLIC, created_at__lt=end).count()
    return Measure(float(found), found)


def numbered_landmarks(start: datetime, end: datetime, district: str | None) -> Measure:
    found = _first_version_before(end).filter(layer__code=builtin.LANDMARKS,
                                              number__isnull=False).count()
    return Measure(float(found), found)


def shelter_places(start: datetime, end: datetime, district: str | None) -> Measure:
    """Places in the shelters on the map (their declared capacity)."""
    rows = _first_version_before(end).filter(layer__code=builtin.SHELTERS).values_list(
        "properties", flat=True)
    total = 0
    for properties in rows:
        capacity = (properties or {}).get("capacity") if isinstance(properties, dict) else None
        if isinstance(capacity, int | float):
            total += int(capacity)
    return Measure(float(total), len(rows))


def edits(start: datetime, end: datetime, district: str | None) -> Measure:
    """Changes made to the twin in the period (new objects, edits, retirements)."""
    changed = FeatureVersion.objects.filter(valid_to__gte=start, valid_to__lt=end).count()
    created = Feature.objects.filter(valid_from__gte=start, valid_from__lt=end,
                                     version=1).count()
    return Measure(float(changed + created), changed + created)


INDICATORS = (
    IndicatorFunction("twin.features", features, "Objects in the digital twin at the "
                      "period's end, every layer."),
    IndicatorFunction("twin.public_layers", public_layers,
                      "Layers of the twin open to the public."),
    IndicatorFunction("twin.buildings", _layer(builtin.BUILDINGS),
                      "Buildings mapped in the twin."),
    IndicatorFunction("twin.addresses", _layer(builtin.ADDRESSES),
                      "Addresses in the twin's address register."),
    IndicatorFunction("twin.streets", _layer(builtin.STREETS), "Streets in the twin."),
    IndicatorFunction("twin.shelters", _layer(builtin.SHELTERS),
                      "Civil-protection shelters on the public map."),
    IndicatorFunction("twin.shelter_places", shelter_places,
                      "Places in the shelters on the map (declared capacity)."),
    IndicatorFunction("twin.landmarks", numbered_landmarks,
                      "Numbered landmarks (poles, hydrants...) residents can cite."),
    IndicatorFunction("twin.poi", _layer(builtin.POI),
                      "Points of interest (tourism, culture, services) on the twin."),
    IndicatorFunction("twin.edits", edits, "Changes made to the twin in the period."),
)
