""""Is my building affected?": an address or a landmark number against the current outages.

A resident on the public notices page types where they live (an address, or the number on a
landmark by their door); the twin's public search finds it, and for every current outage the
answer is a plain yes or no: yes when the outage is city-wide, targets the place's district,
lists the place's building, or its area holds the place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.gis.geos import Point
from django.utils.translation import gettext as _

from misto import twin
from misto.notifications.errors import NotificationError, NotificationsCode
from misto.notifications.models import AffectedBuilding, Announcement, Target
from misto.notifications.services.subscriptions import resolve_home

# What a resident may type: a house's address or a numbered landmark ("12-0457").
PLACE_KINDS = ("landmark", "address")


@dataclass(frozen=True)
class Place:
    label: str
    lon: float
    lat: float
    district: str  # KATOTTG code
    building_id: int | None


@dataclass(frozen=True)
class Verdict:
    announcement: Announcement
    affected: bool


def find_place(query: str) -> Place:
    """The address or landmark the resident typed, with its district and building."""
    text = query.strip()
    if not text:
        raise NotificationError(NotificationsCode.BAD_ADDRESS,
                                _("Enter an address or a landmark number."), field="place")
    if not any(character.isdigit() for character in text):
        # A street alone would be answered for whichever of its houses the search ranks
        # first: ask for the house (a landmark number has digits too).
        raise NotificationError(NotificationsCode.BAD_ADDRESS,
                                _("Add the house number: “%(street)s 1”, not only the street.")
                                % {"street": text}, field="place")
    hits = [hit for hit in twin.search(text, limit=5) if hit.kind in PLACE_KINDS]
    if not hits:
        raise NotificationError(
            NotificationsCode.BAD_ADDRESS,
            _("No address or landmark matches “%(query)s”.") % {"query": text}, field="place")
    hit = hits[0]
    home = resolve_home(hit.label, hit.lon, hit.lat)
    return Place(label=home.label, lon=hit.lon, lat=hit.lat, district=home.district,
                 building_id=home.building_id)


def verdicts(place: Place, outages: Iterable[Announcement]) -> list[Verdict]:
    """Yes or no for each outage, in the order given (two queries whatever their number)."""
    rows = list(outages)
    listed: set[int] = set()
    if place.building_id is not None:
        listed = set(AffectedBuilding.objects.filter(
            announcement__in=[row.pk for row in rows], building_id=place.building_id
        ).values_list("announcement_id", flat=True))
    point = Point(place.lon, place.lat, srid=4326)
    return [Verdict(row, _reaches(row, place, point, listed)) for row in rows]


def _reaches(row: Announcement, place: Place, point: Point, listed: set[int]) -> bool:
    if row.target == Target.CITY:
        return True
    if row.target == Target.DISTRICTS:
        return place.district in row.districts
    # An area or a list of buildings: its ``districts`` only say where it lies, so a
    # district alone never makes a "yes"; the building or the point must be in it.
    return row.pk in listed or (row.area is not None and row.area.intersects(point))
