"""Emergencies reach people: what the situation centre declares, the public is told.

The situation centre publishes ``situation.EmergencyDeclared`` and ``situation.EmergencyEnded``
(consumed in ``handlers.py``). Each becomes an **urgent announcement** to the emergency's area
(urgent: every channel the residents enabled, quiet hours do not hold it back), and the
emergency's public facts are kept in an :class:`EmergencyNotice` that drives the site-wide
banner (while it lasts) and the public emergency page (area, nearest shelters, instructions).

Who is told: the residents who follow *any* topic there (an emergency concerns everyone, not
one subject), matched like any announcement: for a drawn area, those whose home building is
inside or whose drawn area intersects it; for districts, the districts' subscribers; for a
city-wide emergency, every subscriber.

Idempotent: one notice row per emergency (unique), and the announcements carry the unique
source keys ``situation.emergency:<id>:declared`` / ``:ended``, so a redelivered or repeated
event never sends twice. The end may arrive before the declaration (two deliveries retried
at different times): it then leaves an ended row, and the late declaration says nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from misto import twin
from misto.core.registry import Banner
from misto.notifications import conf, services
from misto.notifications.errors import NotificationError, NotificationsCode
from misto.notifications.models import Announcement, EmergencyNotice, Target

SOURCE_PREFIX = "situation.emergency"
# The end notice stays on the public feeds for a day, then expires like any announcement.
END_NOTICE_LIFETIME = timedelta(days=1)
SHELTERS = "shelters"  # the twin's layer code
# Shelters within about a kilometre of the area are ranked; the twin's nearest search
# fills in when there are fewer.
SHELTER_SEARCH_DEGREES = 0.01


# --- The facts an event carries --------------------------------------------------------------


@dataclass(frozen=True)
class Declared:
    """``situation.EmergencyDeclared``, checked: only public facts, no person."""

    emergency_id: int
    title: str
    kind: str
    districts: list[str]
    area: MultiPolygon | None
    started_at: datetime


def read_declared(payload: dict[str, Any]) -> Declared:
    """Check the event's payload; a malformed one raises (the outbox keeps it as a dead
    letter for staff to see) rather than announcing something half-understood."""
    area_json = payload.get("area_geojson")
    known = services.district_codes()
    return Declared(
        emergency_id=int(payload["emergency_id"]),
        title=str(payload.get("title") or "").strip()[:300],
        kind=str(payload.get("kind") or "other")[:20],
        # Codes the twin does not know reach nobody: leave them out rather than fail.
        districts=[str(code) for code in payload.get("districts") or [] if code in known],
        area=services.parse_area(area_json) if area_json else None,
        started_at=_moment(payload.get("started_at")),
    )


def _moment(value: Any) -> datetime:
    parsed = parse_datetime(str(value or ""))
    if parsed is None:
        return timezone.now()
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


@dataclass(frozen=True)
class Ended:
    """``situation.EmergencyEnded``, checked."""

    emergency_id: int
    ended_at: datetime


def read_ended(payload: dict[str, Any]) -> Ended:
    return Ended(int(payload["emergency_id"]), _moment(payload.get("ended_at")))


def _source_key(emergency_id: int, phase: str) -> str:
    return f"{SOURCE_PREFIX}:{emergency_id}:{phase}"


# --- Declared and ended ------------------------------------------------------------------------


def announce_declared(facts: Declared) -> EmergencyNotice:
    """Keep the emergency's public facts and tell the residents of its area, once."""
    with transaction.atomic():
        notice, created = EmergencyNotice.objects.select_for_update().get_or_create(
            emergency_id=facts.emergency_id,
            defaults={"title": facts.title, "kind": facts.kind, "districts": facts.districts,
                      "area": facts.area, "started_at": facts.started_at})
        if not created:
            return notice  # told already (a redelivery), or it ended before we heard of it
        draft = _declared_draft(notice)
        if draft is not None:
            notice.declared_announcement = services.announce_from_event(
                _source_key(notice.emergency_id, "declared"), draft)
            notice.save(update_fields=["declared_announcement"])
    return notice


def announce_ended(facts: Ended) -> EmergencyNotice:
    """Take the banner down, take the declaration off the feeds, and tell the same
    residents the same way (urgent, every channel) that it is over, once."""
    emergency_id = facts.emergency_id
    with transaction.atomic():
        notice, _created = EmergencyNotice.objects.select_for_update().get_or_create(
            emergency_id=emergency_id, defaults={"ended_at": facts.ended_at})
        if notice.end_announcement_id is not None or notice.started_at is None:
            return notice  # told already, or never declared here (nothing to end)
        notice.ended_at = notice.ended_at or facts.ended_at
        declared = notice.declared_announcement
        if declared is not None:
            Announcement.objects.filter(pk=declared.pk).update(expires_at=timezone.now())
            notice.end_announcement = services.announce_from_event(
                _source_key(emergency_id, "ended"), _ended_draft(notice, declared))
        notice.save(update_fields=["ended_at", "end_announcement"])
    return notice


def _target(notice: EmergencyNotice) -> tuple[str, list[str], MultiPolygon | None]:
    """Where the announcement goes: the drawn area, else the districts, else the city.

    The event's area is the drawn polygon, or the union of the districts when the
    dispatcher chose districts only; the latter goes to the districts' subscribers too
    (a district subscription names no building, so an area match would miss them).
    """
    if notice.area is not None and not (notice.districts
                                        and _is_districts_union(notice.area, notice.districts)):
        return Target.AREA, [], notice.area
    if notice.districts:
        return Target.DISTRICTS, list(notice.districts), None
    return Target.CITY, [], None


def _is_districts_union(area: MultiPolygon, codes: list[str]) -> bool:
    covered = services.districts_area(codes)
    if covered is None or covered.area == 0:
        return False
    return bool(area.sym_difference(covered).area <= 0.01 * covered.area)


def _in_both_languages(make: Callable[[], str]) -> tuple[str, str]:
    """The same words in Ukrainian and in English (an announcement carries both)."""
    with translation.override("uk"):
        uk = str(make())
    with translation.override("en"):
        en = str(make())
    return uk, en


def _declared_draft(notice: EmergencyNotice) -> services.Draft | None:
    topics = [topic.code for topic in services.active_topics()]
    if not topics:
        return None  # nobody can follow anything: the banner and the page still tell
    target, districts, area = _target(notice)
    link = conf.public_url() + page_url(notice.emergency_id)
    title_uk, title_en = _in_both_languages(lambda: emergency_title(notice)[:200])
    body_uk, body_en = _in_both_languages(lambda: "\n".join(
        [*instructions(notice.kind), "", _("What to do and the nearest shelters: %(url)s")
         % {"url": link}]))
    return services.Draft(
        title_uk=title_uk, title_en=title_en, body_uk=body_uk, body_en=body_en,
        topics=topics, target=target, districts=districts, area=area,
        urgent=True, emergency=True)


def _ended_draft(notice: EmergencyNotice, declared: Announcement) -> services.Draft:
    started = timezone.localtime(notice.started_at or declared.created_at)
    ended = timezone.localtime(notice.ended_at or timezone.now())
    title_uk, title_en = _in_both_languages(
        lambda: (_("Emergency over: %(title)s") % {"title": notice.title})[:200])
    body_uk, body_en = _in_both_languages(lambda: _(
        "The emergency declared on %(start)s is over since %(end)s. Thank you for your "
        "patience.") % {"start": f"{started:%d.%m.%Y %H:%M}", "end": f"{ended:%d.%m.%Y %H:%M}"})
    return services.Draft(
        title_uk=title_uk, title_en=title_en, body_uk=body_uk, body_en=body_en,
        topics=list(declared.topics.values_list("code", flat=True)), target=declared.target,
        districts=list(declared.districts), area=declared.area, urgent=True,
        expires_at=timezone.now() + END_NOTICE_LIFETIME)


# --- What the public sees -----------------------------------------------------------------------


def emergency_title(notice: EmergencyNotice) -> str:
    return _("Emergency: %(title)s") % {"title": notice.title}


def instructions(kind: str) -> list[str]:
    """What to do, in the current language: the kind's own advice, then the general."""
    by_kind = {
        "heating": _("Keep the heat in: close windows and doors and gather in one warm room. "
                     "Never heat a room with a gas stove or an oven."),
        "water": _("Keep drinking water in stock. Until the supply is declared safe, drink "
                   "only bottled or boiled water."),
        "power": _("Switch electrical appliances off so that they do not all start at once "
                   "when the power returns. Use torches rather than candles."),
        "gas": _("If you smell gas, do not light a flame or touch switches: open the windows, "
                 "leave the building and call 104."),
    }
    general = [
        _("Follow the instructions of the rescue services and the city's announcements."),
        _("Keep your phone charged, and documents, water and medicines at hand."),
        _("If you are in danger, call 112."),
    ]
    return [by_kind[kind], *general] if kind in by_kind else general


def page_url(emergency_id: int) -> str:
    return reverse("notifications:emergency", args=[emergency_id])


def active() -> list[EmergencyNotice]:
    return list(EmergencyNotice.objects.filter(started_at__isnull=False, ended_at__isnull=True)
                .order_by("started_at"))


def banners(request: HttpRequest) -> list[Banner]:
    """The site-wide banner of every emergency that lasts (the registry's ``banners``)."""
    return [Banner(text=emergency_title(notice), url=page_url(notice.emergency_id),
                   link_text=_("What to do and the nearest shelters"))
            for notice in active()]


def public_notice(emergency_id: int) -> EmergencyNotice:
    notice = (EmergencyNotice.objects.filter(emergency_id=emergency_id, started_at__isnull=False)
              .first())
    if notice is None:
        raise NotificationError(NotificationsCode.NOT_FOUND, _("No such emergency."))
    return notice


def notice_of(announcement: Announcement) -> EmergencyNotice | None:
    """The emergency an announcement told about (declared or ended), if any."""
    return EmergencyNotice.objects.filter(
        Q(declared_announcement=announcement) | Q(end_announcement=announcement)).first()


def area_of(notice: EmergencyNotice) -> MultiPolygon | None:
    """The drawn area, else the districts' union; None for a city-wide emergency."""
    if notice.area is not None:
        return notice.area
    return services.districts_area(notice.districts) if notice.districts else None


# --- Shelters nearby, through the twin's public functions ---------------------------------------


@dataclass(frozen=True)
class Shelter:
    feature_id: int
    name: str
    lon: float
    lat: float
    distance_m: int  # to the area's edge; 0 inside it
    capacity: int | None
    accessible: bool | None
    hours: str
    address: str
    status: str = "unknown"  # open / closed / unknown, as its keeper set it

    @property
    def distance_km(self) -> float:
        return self.distance_m / 1000


def nearest_shelters(area: MultiPolygon | None, n: int = 5) -> list[Shelter]:
    """The ``n`` shelters nearest to an emergency's area (:func:`area_of`; inside it first),
    nearest first."""
    if area is None:
        return []
    candidates = {feature.pk: feature for feature in
                  twin.features_within(area.buffer(SHELTER_SEARCH_DEGREES), SHELTERS)[:300]}
    if len(candidates) < n:
        centre = area.point_on_surface
        ids = [item.feature_id for item in twin.nearest(
            centre.x, centre.y, n, layer=SHELTERS, landmarks=False, max_distance_m=20_000)]
        extra = twin.features_in_bbox((-180.0, -90.0, 180.0, 90.0), layers=[SHELTERS])
        candidates.update({feature.pk: feature for feature in extra.filter(pk__in=ids)})
    metric_area = _metric(area)
    statuses = {pk: shelter.status for pk, shelter in twin.shelters_by_id(candidates).items()}
    found = []
    for feature in candidates.values():
        point = feature.geometry.point_on_surface
        props = feature.properties or {}
        found.append(Shelter(status=statuses.get(feature.pk, "unknown"),
            feature_id=feature.pk, name=feature.name or str(props.get("name") or ""),
            lon=point.x, lat=point.y,
            distance_m=round(metric_area.distance(_metric(point, like=area))),
            capacity=props.get("capacity"), accessible=props.get("accessible"),
            hours=str(props.get("hours") or ""), address=str(props.get("address") or "")))
    found.sort(key=lambda shelter: (shelter.distance_m, shelter.name))
    return found[:n]


@dataclass(frozen=True)
class Walk:
    """An open shelter reached on foot from where the resident is (the twin's route)."""

    name: str
    capacity: int | None
    distance_m: int
    minutes: int
    steps: list[tuple[str, int]]
    route: dict[str, Any]  # a GeoJSON LineString


def walks_from(query: str = "", lon: float | None = None, lat: float | None = None,
               n: int = 3) -> tuple[str, list[Walk]]:
    """The open shelters quickest to walk to from a landmark number, an address or GPS,
    quickest first, and where that is said back; ``TwinError`` (a ``MistoError``) with the
    reason when the place cannot be used."""
    place = twin.place_from(query, lon, lat)
    walks = [Walk(name=item.shelter.name, capacity=item.shelter.capacity,
                  distance_m=round(item.route.distance_m),
                  minutes=max(1, round(item.route.time_s / 60)),
                  steps=[(step.name, round(step.distance_m)) for step in item.route.steps],
                  route=item.route.geojson()["geometry"])
             for item in twin.nearest_open_shelters(place, n)]
    return place.label, walks


def _metric(geometry: GEOSGeometry, like: GEOSGeometry | None = None) -> GEOSGeometry:
    """The geometry in metres: the UTM zone (WGS 84) of ``like`` (or itself)."""
    centre = (like or geometry).centroid
    zone = min(60, max(1, math.floor((centre.x + 180) / 6) + 1))
    return geometry.transform(32600 + zone if centre.y >= 0 else 32700 + zone, clone=True)
