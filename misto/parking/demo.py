"""Parking in the demo city: four zones over the twin's parking places (paid by day, paid
round the clock at the station, residents only, free), a lot on each, places with the
demo's parking sensors (``park-0001``...), tariffs, and a few finished sessions.
Safe to run again: zones and lots are kept by code, sessions made once."""

from __future__ import annotations

from datetime import timedelta
from typing import IO, Any

from django.contrib.gis.geos import MultiPolygon, Polygon
from django.db import transaction
from django.utils import timezone

from misto import twin
from misto.parking import services
from misto.parking.models import PlaceKind, Session, ZoneKind
from misto.residents.demo import population

M_LAT, M_LON = 1 / 111_000, 1 / 74_500  # degrees per metre near 48° N

# code, name, name_en, kind, tariffs
ZONES: list[tuple[str, str, str, str, list[dict[str, Any]]]] = [
    ("a", "Зона A: центр", "Zone A: centre", ZoneKind.PAID,
     [{"weekdays": "123456", "start_hour": 8, "end_hour": 22, "price_per_hour": 2000,
       "max_stay_minutes": 180}]),
    ("b", "Зона B: вокзал", "Zone B: station", ZoneKind.PAID,
     [{"weekdays": "1234567", "start_hour": 0, "end_hour": 24, "price_per_hour": 1000,
       "max_stay_minutes": 240}]),
    ("r", "Зона R: для мешканців", "Zone R: residents", ZoneKind.RESIDENTS, []),
    ("f", "Зона F: безкоштовна", "Zone F: free", ZoneKind.FREE, []),
]
# Lots per zone, places per lot, sensors per lot (the demo has 80 parking sensors).
LOTS_PER_ZONE = {"a": 4, "b": 3, "r": 2, "f": 2}
PLACES, SENSED = 16, 8


def _square(lon: float, lat: float, metres: float) -> Polygon:
    dx, dy = metres * M_LON, metres * M_LAT
    return Polygon.from_bbox((lon - dx, lat - dy, lon + dx, lat + dy))


def _spots() -> list[tuple[int, float, float, str]]:
    """The twin's parking places (feature id, lon, lat, name), in a stable order."""
    box = twin.districts_extent()
    if box is None:
        return []
    found = []
    for feature in twin.features_in_bbox(tuple(box), layers=["poi"]).order_by("pk"):
        if (feature.properties or {}).get("kind") == "parking":
            point = feature.geometry.point_on_surface
            found.append((feature.pk, point.x, point.y,
                          str(feature.properties.get("name") or "")))
    return found


def load(stdout: IO[str] | Any) -> None:
    spots = iter(_spots())
    sensor = 0
    lots = []
    with transaction.atomic():
        for code, name, name_en, kind, tariffs in ZONES:
            mine = [spot for spot, _n in zip(spots, range(LOTS_PER_ZONE[code]), strict=False)]
            if not mine:
                break
            zone = services.do_create_zone(
                code, name, MultiPolygon([_square(lon, lat, 90) for _id, lon, lat, _nm in mine],
                                         srid=4326), kind=kind, name_en=name_en,
                tariffs=tariffs)
            for index, (feature, lon, lat, title) in enumerate(mine, start=1):
                places = []
                for number in range(1, PLACES + 1):
                    uid = None
                    if number <= SENSED and kind in (ZoneKind.PAID, ZoneKind.FREE):
                        sensor += 1
                        uid = f"park-{sensor:04d}"
                    places.append((str(number), uid, PlaceKind.DISABLED if number == PLACES
                                   else PlaceKind.REGULAR))
                lots.append(services.do_create_lot(
                    f"{code}-{index:02d}", title or f"{name} {index}",
                    zone, MultiPolygon(_square(lon, lat, 25), srid=4326),
                    name_en=f"{name_en}, lot {index}", places=places,
                    bookable=code == "b", feature_id=feature))
        made = _sessions(lots)
    stdout.write(f"  parking: {len(lots)} lots, {sensor} places with sensors, "
                 f"{made} demo sessions\n")


def _sessions(lots: list[Any]) -> int:
    """A few finished sessions at the station (paid round the clock), once."""
    station = [lot for lot in lots if lot.zone.code == "b"]
    if not station or Session.objects.exists():
        return 0
    drivers = population(3)
    now = timezone.now()
    plates = ["AA1234BB", "BC0007KA", "AX5555EE"]
    for n, (driver, plate) in enumerate(zip(drivers, plates, strict=True)):
        started = now - timedelta(hours=5 - n, minutes=7 * n)
        checked = services.check_start(driver, plate, station[n % len(station)], now=started)
        session = services.do_start(checked)
        services.do_stop(session, started + timedelta(minutes=35 + 20 * n), "resident",
                         strict=False)
    return len(plates)


