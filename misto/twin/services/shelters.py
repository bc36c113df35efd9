"""Shelters first: their status set by the keeper, and the nearest open ones by walking route.

A shelter is a feature of the ``shelters`` layer; its keeper (a department, by default the
layer's owner, civil protection) opens and closes it from a phone. Who may: the action
``twin.shelter.status``, scoped by the keeper's department, so a school's clerk opens the
school's basement and not the city's other shelters.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from misto.core.permissions import can
from misto.twin import builtin
from misto.twin.errors import NotFound, TwinCode, TwinError
from misto.twin.models import Feature
from misto.twin.services.features import change_feature
from misto.twin.services.numbering import landmark_location
from misto.twin.services.routing import Route, RoutedFeature, nearest_by_route
from misto.twin.services.search import search

STATUSES = ("open", "closed", "unknown")
SET_STATUS = "twin.shelter.status"


@dataclass(frozen=True)
class ShelterScope:
    """What the permission check sees: the keeper's department (districts do not matter)."""

    scope_department: str
    scope_district: None = None


def keeper_scope(feature: Feature) -> ShelterScope:
    department = (feature.properties.get("keeper_department")
                  or feature.layer.owner_department or "")
    return ShelterScope(str(department))


def status_of(feature: Feature) -> str:
    status = feature.properties.get("status")
    return status if status in STATUSES else "unknown"


def access_shelter(user: Any, feature_id: int, action: str = SET_STATUS) -> Feature:
    """The shelter, if it exists, is current and ``user`` may do ``action`` to it; else the
    same 404 (a hidden shelter and a missing one look alike)."""
    feature = (Feature.objects.select_related("layer")
               .filter(pk=feature_id, layer__code=builtin.SHELTERS, retired_at__isnull=True)
               .first())
    if feature is None or not can(user, action, keeper_scope(feature)):
        raise NotFound(TwinCode.NOT_FOUND, _("There is no such shelter."))
    return feature


def set_status(user: Any, feature_id: int, status: str) -> Feature:
    """Open or close a shelter (a new version of the feature, with who and when)."""
    if status not in STATUSES:
        raise TwinError(TwinCode.BAD_STATUS,
                        _("The status must be open, closed or unknown."), field="status")
    feature = access_shelter(user, feature_id)
    if status_of(feature) == status:
        return feature
    return change_feature(feature.pk, properties={**feature.properties, "status": status},
                          user=user, reason=_("Shelter status: %(status)s") % {"status": status})


@dataclass(frozen=True)
class Place:
    """Where the resident is, and how to say it back to them."""

    lon: float
    lat: float
    label: str


def place_from(query: str = "", lon: float | None = None, lat: float | None = None) -> Place:
    """A landmark number, an address or a street, or GPS coordinates -> a place."""
    if lon is not None and lat is not None:
        return Place(lon, lat, _("Your location"))
    text = query.strip()
    if not text:
        raise TwinError(TwinCode.EMPTY_QUERY,
                        _("Type a landmark number or an address, or share your location."),
                        field="q")
    found = landmark_location(text)
    if found is not None:
        return Place(found.lon, found.lat, _("Landmark %(number)s") % {"number": found.number})
    hits = [hit for hit in search(text, limit=3) if hit.kind in ("landmark", "address",
                                                                  "street")]
    if not hits:
        raise TwinError(TwinCode.NOT_FOUND,
                        _("Nothing called “%(text)s” was found: check the number on the pole "
                          "or the address.") % {"text": text[:60]}, status=400, field="q")
    return Place(hits[0].lon, hits[0].lat, hits[0].label)


def nearest_open(place: Place, n: int = 3) -> list[RoutedFeature]:
    """The ``n`` open shelters quickest to walk to from ``place``."""
    return nearest_by_route((place.lon, place.lat), builtin.SHELTERS, n=n, mode="walk",
                            where={"status": "open"})


@dataclass(frozen=True)
class Shelter:
    """A shelter as other modules see it (the situation centre, the emergency page):
    never the raw properties, and a status that is always one of ``STATUSES``."""

    id: int
    name: str
    name_en: str
    lon: float
    lat: float
    status: str
    capacity: int | None
    kind: str
    accessible: bool | None
    hours: str
    address: str

    def label(self, english: bool = False) -> str:
        return (english and self.name_en) or self.name


@dataclass(frozen=True)
class RoutedShelter:
    """An open shelter reached on foot: :func:`nearest_open_shelters`' answer."""

    shelter: Shelter
    route: Route
    straight_m: float


def _capacity(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


def shelter_of(feature: Feature) -> Shelter:
    props = feature.properties or {}
    point = feature.geometry.point_on_surface
    accessible = props.get("accessible")
    return Shelter(
        id=feature.pk, name=feature.name or str(props.get("name") or ""),
        name_en=str(props.get("name_en") or ""), lon=point.x, lat=point.y,
        status=status_of(feature), capacity=_capacity(props.get("capacity")),
        kind=str(props.get("kind") or ""),
        accessible=accessible if isinstance(accessible, bool) else None,
        hours=str(props.get("hours") or ""), address=str(props.get("address") or ""))


def shelters_by_id(ids: Iterable[int]) -> dict[int, Shelter]:
    """The current shelters among ``ids`` (e.g. from ``nearest(..., layer="shelters")``)."""
    rows = Feature.objects.filter(pk__in=list(ids), layer__code=builtin.SHELTERS,
                                  retired_at__isnull=True)
    return {feature.pk: shelter_of(feature) for feature in rows}


def nearest_open_shelters(lonlat: tuple[float, float] | Place, n: int = 3) -> list[RoutedShelter]:
    """The ``n`` open shelters quickest to walk to, quickest first, each with its route.
    Refusals are ``TwinError`` as for ``route`` (outside the city, far from streets...)."""
    place = lonlat if isinstance(lonlat, Place) else Place(*_pair(lonlat), "")
    return [RoutedShelter(shelter_of(item.feature), item.route, item.straight_m)
            for item in nearest_open(place, n)]


def _pair(lonlat: Any) -> tuple[float, float]:
    try:
        lon, lat = (float(value) for value in lonlat)
    except (TypeError, ValueError) as error:
        raise TwinError(TwinCode.BAD_COORDINATES,
                        _("A place is two numbers: longitude and latitude.")) from error
    return lon, lat
