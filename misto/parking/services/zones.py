"""Zones and lots on the twin: their areas checked by the twin, their district from it, the
lots near a point, and each lot's free places now.

Free places: a place with a sensor is free when its last reading said so; places without
a sensor are counted free unless a running session without a sensed place holds them (the
best the city knows). ``state`` follows ParkAPI (many, few, full, closed, nodata).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.gis.geos import GEOSGeometry, Point
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from misto import twin
from misto.parking.errors import ParkingCode, ParkingError
from misto.parking.models import Lot, Place, PlaceKind, Session, Tariff, Zone, ZoneKind
from misto.parking.services.settings import near_metres
from misto.twin import geo

FEW = 0.1  # under a tenth of the places free: "few"


def _area(value: str | dict[str, Any] | GEOSGeometry) -> Any:
    try:
        return geo.as_multipolygon(geo.parse_area(value))
    except twin.TwinError as error:
        raise ParkingError(ParkingCode.INVALID, error.message, field="area") from error


def _district(point: Point) -> str:
    found = twin.district_at(point.x, point.y)
    return found.katottg if found else ""


def do_create_zone(code: str, name: str, area: Any, *, kind: str = ZoneKind.PAID,
                   name_en: str = "", tariffs: Iterable[dict[str, Any]] = ()) -> Zone:
    """A zone with its tariffs (``{"weekdays", "start_hour", "end_hour",
    "price_per_hour", "max_stay_minutes"}``); the same code updates it (idempotent)."""
    shape = _area(area)
    with transaction.atomic():
        zone, _created = Zone.objects.update_or_create(code=code, defaults={
            "name": name, "name_en": name_en, "kind": kind, "area": shape,
            "district": _district(shape.point_on_surface)})
        zone.tariffs.all().delete()
        Tariff.objects.bulk_create([Tariff(zone=zone, **row) for row in tariffs])
    return zone


def check_lot_area(zone: Zone, area: Any) -> Any:
    """The lot's area, refused when it is not inside its zone."""
    shape = _area(area)
    if not zone.area.buffer(1e-7).contains(shape):
        raise ParkingError(ParkingCode.LOT_OUTSIDE_ZONE, _(
            "The lot is not inside zone %(zone)s.") % {"zone": zone.code}, field="area")
    return shape


def do_create_lot(code: str, name: str, zone: Zone, area: Any, *, name_en: str = "",
                  places: Sequence[tuple[str, str | None, str]] = (), bookable: bool = False,
                  feature_id: int | None = None) -> Lot:
    """A lot with its places ``(number, sensor uid or None, kind)``; idempotent by code."""
    shape = check_lot_area(zone, area)
    point = shape.point_on_surface
    with transaction.atomic():
        lot, _created = Lot.objects.update_or_create(code=code, defaults={
            "name": name, "name_en": name_en, "zone": zone, "area": shape, "point": point,
            "district": _district(point), "bookable": bookable, "feature_id": feature_id})
        for number, sensor, kind in places:
            Place.objects.update_or_create(lot=lot, number=number, defaults={
                "sensor": sensor or None, "kind": kind or PlaceKind.REGULAR})
    return lot


def access_lot(code_or_id: str | int) -> Lot:
    """A lot by its code on the sign (or id); the same 404 for anything unknown."""
    rows = Lot.objects.select_related("zone")
    text = str(code_or_id).strip()
    lot = rows.filter(code=text).first() or (
        rows.filter(pk=int(text)).first() if text.isdigit() and len(text) < 18 else None)
    if lot is None:
        raise ParkingError(ParkingCode.NOT_FOUND, _("There is no parking lot %(code)s.")
                           % {"code": text[:20]}, field="lot")
    return lot


@dataclass(frozen=True)
class LotNow:
    lot: Lot
    places: int
    free: int
    disabled_free: int
    state: str
    distance_m: float | None = None


def with_free(rows: QuerySet[Lot] | None = None) -> list[LotNow]:
    """Every lot (or ``rows``) with its free places now: three queries, the counts grouped
    by the places' lot id (never by the lots' geometry columns)."""
    lots = list((rows if rows is not None else Lot.objects.all()).select_related("zone"))
    places = Place.objects.all() if rows is None else \
        Place.objects.filter(lot_id__in=[lot.pk for lot in lots])
    counts = {row["lot_id"]: row for row in places.values("lot_id").order_by().annotate(
        total=Count("pk"), sensed=Count("pk", filter=Q(sensor__isnull=False)),
        free_sensed=Count("pk", filter=Q(sensor__isnull=False, occupied=False)),
        disabled_free=Count("pk", filter=Q(kind=PlaceKind.DISABLED) & (
            Q(occupied=False) | Q(sensor__isnull=True))))}
    unplaced = dict(Session.objects.filter(stopped_at__isnull=True, place__isnull=True)
                    .values("lot").order_by().annotate(n=Count("pk")).values_list("lot", "n"))
    found = []
    empty = {"total": 0, "sensed": 0, "free_sensed": 0, "disabled_free": 0}
    for lot in lots:
        count = counts.get(lot.pk, empty)
        unsensed = count["total"] - count["sensed"]
        free = count["free_sensed"] + max(0, unsensed - unplaced.get(lot.pk, 0))
        found.append(LotNow(lot, count["total"], free, count["disabled_free"],
                            _state(lot, free, count["sensed"], count["total"])))
    return found


def _state(lot: Lot, free: int, sensed: int, total: int) -> str:
    if lot.closed:
        return "closed"
    if not sensed:
        return "nodata"
    if free == 0:
        return "full"
    return "few" if free < max(1, FEW * total) else "many"


def nearest_lots(lon: float, lat: float, n: int = 3) -> list[LotNow]:
    """The ``n`` open lots nearest the point (within ``MISTO_PARKING_NEAR_METRES``)."""
    point = twin.check_lon_lat(lon, lat)
    reach = near_metres()
    dlat = reach / 111_000
    dlon = dlat * 2  # generous at Ukraine's latitudes (cos 44..52 > 0.6)
    box = GEOSGeometry(f"POLYGON(({point.x - dlon} {point.y - dlat},{point.x + dlon} "
                       f"{point.y - dlat},{point.x + dlon} {point.y + dlat},"
                       f"{point.x - dlon} {point.y + dlat},{point.x - dlon} "
                       f"{point.y - dlat}))", srid=4326)
    near = []
    for now in with_free(Lot.objects.filter(point__within=box, closed=False)):
        metres = geo.distance_m(lon, lat, now.lot.point.x, now.lot.point.y)
        if metres <= reach:
            near.append(LotNow(now.lot, now.places, now.free, now.disabled_free, now.state,
                               round(metres)))
    near.sort(key=lambda found: (found.distance_m or 0, found.lot.code))
    return near[:n]


def zone_at(point: Point) -> Zone | None:
    """The zone a point stands in (a residents-only zone first where zones overlap)."""
    zones = list(Zone.objects.filter(area__intersects=point))
    zones.sort(key=lambda zone: (zone.kind != ZoneKind.RESIDENTS, zone.code))
    return zones[0] if zones else None
