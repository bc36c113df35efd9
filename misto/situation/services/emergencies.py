"""Emergencies: declared by dispatchers or announced as emergency outages.

An emergency groups the open incidents it covers, and the incidents opened in it later.

Their area (a polygon, the union of districts, or the whole city), the affected buildings and
the nearby shelters come from the twin's public functions.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.contrib.gis.geos import GEOSGeometry
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from misto import twin
from misto.core.bus import publish
from misto.core.errors import MistoError
from misto.core.permissions import can
from misto.situation.errors import SituationCode, SituationError, forbidden
from misto.situation.events import EmergencyDeclared, EmergencyEnded
from misto.situation.models import (
    ACTIVE_STATUSES,
    Change,
    Emergency,
    Incident,
    IncidentUpdate,
    UpdateAction,
)
from misto.situation.services.access import access_emergency
from misto.situation.services.livemap import record_change
from misto.situation.services.places import _district_names

UKRAINE_BBOX = (22.0, 44.0, 40.3, 52.5)


def _emergency_for(incident: Incident) -> Emergency | None:
    for emergency in Emergency.objects.filter(ended_at__isnull=True).order_by("started_at"):
        if emergency_covers(emergency, incident):
            return emergency
    return None


def emergency_covers(emergency: Emergency, incident: Incident) -> bool:
    if emergency.area is not None:
        return incident.location is not None and emergency.area.intersects(incident.location)
    if emergency.districts:
        return incident.district in emergency.districts
    return True  # city-wide


def parse_area(value: Any) -> GEOSGeometry:
    """A GeoJSON Polygon/MultiPolygon (dict or text) in lon/lat inside Ukraine, checked by
    the twin's one area reader."""
    try:
        return twin.parse_area(value, within=UKRAINE_BBOX)
    except twin.TwinError as error:
        raise SituationError(SituationCode.BAD_AREA, error.message) from error


def declare_emergency(user: Any, *, title: str, kind: str = "other",
                      districts: Iterable[str] = (), area: Any = None,
                      note: str = "") -> Emergency:
    """Declare a district or city-wide emergency (dispatchers only): group the open
    incidents it covers and publish ``situation.EmergencyDeclared`` for the public outage
    map. No districts and no area means city-wide."""
    if not can(user, "situation.emergency.declare"):
        raise forbidden(_("Only dispatchers may declare an emergency."))
    title = (title or "").strip()
    if not title:
        raise SituationError(SituationCode.INVALID, _("Give the emergency a title."))
    codes = [code.strip() for code in districts if code and code.strip()]
    if codes:
        known = set(_district_names())
        unknown = [code for code in codes if code not in known]
        if unknown:
            raise SituationError(
                SituationCode.BAD_AREA,
                _("Unknown district “%(code)s”.") % {"code": unknown[0]})
    geometry = parse_area(area) if area not in (None, "", {}) else None
    kind = (kind or "other").strip()[:20]
    return _create_emergency(title=title[:300], kind=kind, districts=codes, area=geometry,
                             note=note, user=user, announcement_id="", publish_it=True)


def _create_emergency(*, title: str, kind: str, districts: list[str],
                      area: GEOSGeometry | None, note: str, user: Any,
                      announcement_id: str, publish_it: bool) -> Emergency:
    with transaction.atomic():
        emergency = Emergency.objects.create(
            title=title, kind=kind, districts=districts, area=area, note=note,
            declared_by=user if getattr(user, "is_authenticated", False) else None,
            announcement_id=announcement_id,
        )
        grouped = 0
        for incident in Incident.objects.filter(status__in=ACTIVE_STATUSES,
                                                emergency__isnull=True):
            if emergency_covers(emergency, incident):
                incident.emergency = emergency
                incident.save(update_fields=["emergency", "updated_at"])
                IncidentUpdate.objects.create(
                    incident=incident, action=UpdateAction.EMERGENCY, status=incident.status,
                    actor=emergency.declared_by, data={"emergency": emergency.pk})
                record_change(Change.Topic.INCIDENT, incident.pk)
                grouped += 1
        record_change(Change.Topic.EMERGENCY, emergency.pk)
        if publish_it:
            shape = emergency_area(emergency)
            publish(EmergencyDeclared(
                emergency_id=emergency.pk, title=emergency.title, kind=emergency.kind,
                districts=list(districts),
                area_geojson=json.loads(shape.geojson) if shape is not None else None,
                started_at=emergency.started_at,
                building_count=affected_buildings(emergency, 0)[0],
                incident_count=grouped,
            ))
    return emergency


def end_emergency(emergency_id: int, user: Any, note: str = "") -> Emergency:
    """End an emergency (``situation.emergency.end``). Only a declared one publishes
    ``situation.EmergencyEnded``: one opened by an outage announcement has the
    announcement to speak to the public."""
    with transaction.atomic():
        emergency = access_emergency(user, emergency_id, "end", lock=True)
        if emergency.ended_at is not None:
            raise SituationError(
                SituationCode.RESOLVED,
                _("The emergency has already ended."), status=409)
        emergency.ended_at = timezone.now()
        if note:
            emergency.note = f"{emergency.note}\n{note}".strip()
        emergency.save()
        record_change(Change.Topic.EMERGENCY, emergency.pk)
        if not emergency.announcement_id:
            publish(EmergencyEnded(emergency_id=emergency.pk, ended_at=emergency.ended_at))
    return emergency


def emergency_area(emergency: Emergency) -> GEOSGeometry | None:
    """The emergency's area: its own polygon, else the union of its districts' shapes
    (from the twin), else None (city-wide)."""
    if emergency.area is not None:
        return emergency.area
    if not emergency.districts:
        return None
    return twin.districts_union(emergency.districts)


def affected_buildings(emergency: Emergency, limit: int = 200) -> tuple[int, list[dict[str, Any]]]:
    """How many of the twin's buildings lie in the emergency's area, and the first
    ``limit`` of them (none when city-wide without a shape)."""
    shape = emergency_area(emergency)
    if shape is None:
        return 0, []
    rows = twin.features_within(shape, "buildings")
    sample = []
    for feature in rows.order_by("pk")[:limit]:
        point = feature.geometry.point_on_surface
        sample.append({"id": feature.pk, "name": feature.name, "lon": point.x, "lat": point.y,
                       "geometry": json.loads(feature.geometry.geojson)})
    return rows.count(), sample


def nearby_shelters(emergency: Emergency, n: int = 8) -> list[dict[str, Any]]:
    """Shelters inside the area, then the nearest ones around it, nearest first, each with
    its status (open / closed / unknown, as its keeper set it) and capacity."""
    shape = emergency_area(emergency)
    found: dict[int, dict[str, Any]] = {}
    if shape is not None:
        centre = shape.point_on_surface
        for item in twin.nearest(centre.x, centre.y, n, layer="shelters", landmarks=False,
                                 max_distance_m=10_000):
            found[item.feature_id] = {"id": item.feature_id, "name": item.name,
                                      "lon": item.lon, "lat": item.lat,
                                      "distance_m": round(item.distance_m), "inside": False}
        for feature in twin.features_within(shape, "shelters")[:50]:
            point = feature.geometry.point_on_surface
            found[feature.pk] = {"id": feature.pk, "name": feature.name, "lon": point.x,
                                 "lat": point.y, "distance_m": 0, "inside": True}
    for pk, shelter in twin.shelters_by_id(found).items():
        found[pk].update({"name": shelter.name or found[pk]["name"], "status": shelter.status,
                          "capacity": shelter.capacity})
    rows = [row for row in found.values() if "status" in row]  # a retired one drops out
    return sorted(rows, key=lambda item: item["distance_m"])[: max(n, 1) * 2]


def walking_routes(emergency: Emergency, query: str = "", lon: float | None = None,
                   lat: float | None = None, n: int = 3) -> tuple[dict[str, Any] | None, str]:
    """The ``n`` open shelters quickest to walk to from a place the operator names (a
    landmark number, an address, a point), by default from inside the emergency's area
    (none for a city-wide one); or why the place cannot be used. The routes are the
    twin's; no shelter at all when none open can be reached."""
    asked = bool(query.strip()) or (lon is not None and lat is not None)
    try:
        if asked:
            place = twin.place_from(query, lon, lat)
        else:
            shape = emergency_area(emergency)
            if shape is None:
                return None, ""  # city-wide: there is no one place to start from
            centre = shape.point_on_surface
            place = twin.Place(centre.x, centre.y, _("the middle of the area"))
        found = twin.nearest_open_shelters(place, n)
    except MistoError as exc:
        # The middle of a district may be a park far from streets: not the asker's fault.
        return None, exc.message if asked else ""
    return {"start": {"label": place.label, "lon": place.lon, "lat": place.lat},
            "shelters": [{
                "id": item.shelter.id, "name": item.shelter.name,
                "status": item.shelter.status, "capacity": item.shelter.capacity,
                "distance_m": round(item.route.distance_m),
                "duration_s": round(item.route.time_s),
                "minutes": max(1, round(item.route.time_s / 60)),
                "straight_m": round(item.straight_m),
                "steps": [{"name": step.name, "distance_m": round(step.distance_m)}
                          for step in item.route.steps],
                "route": item.route.geojson()["geometry"]} for item in found]}, ""
