"""Parking's open datasets (``MistoModule.datasets``): the lots (where, which zone, how many
places, the tariffs) and each lot's mean occupancy per hour from its sensors over the last
``WINDOW_DAYS`` days. Counts only: no plate, no session, no person."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.db.models import Count
from django.utils import timezone

from misto.core.registry import Column, OpenDataset, OpenTable
from misto.parking.models import Lot, OccupancyHour

WINDOW_DAYS = 30


def lots() -> Iterator[dict[str, Any]]:
    for lot in Lot.objects.select_related("zone").annotate(n=Count("places"))\
            .prefetch_related("zone__tariffs").order_by("code"):
        tariffs = "; ".join(f"{t.weekdays} {t.start_hour}-{t.end_hour} {t.price_per_hour}"
                            for t in lot.zone.tariffs.all())
        yield {"code": lot.code, "name": lot.name, "name_en": lot.name_en, "zone": lot.zone.code,
               "zone_kind": lot.zone.kind, "district": lot.district or None, "places": lot.n,
               "bookable": lot.bookable, "closed": lot.closed, "tariffs": tariffs,
               "lon": round(lot.point.x, 6), "lat": round(lot.point.y, 6),
               "geometry": {"type": "MultiPolygon", "coordinates": lot.area.coords}}


def occupancy_hourly() -> Iterator[dict[str, Any]]:
    since = timezone.now() - timedelta(days=WINDOW_DAYS)
    for lot, hour, samples, occupied in OccupancyHour.objects.filter(hour__gte=since)\
            .order_by("hour", "lot__code").values_list("lot__code", "hour", "samples",
                                                       "occupied"):
        yield {"hour": hour, "lot": lot, "readings": samples,
               "occupancy": round(100 * occupied / samples, 1) if samples else None}


DATASETS = (
    OpenDataset(
        name="parking-lots", title="Паркувальні майданчики", title_en="Parking lots",
        description="Паркувальні майданчики міста: де вони, у якій зоні, скільки місць, "
                    "тарифи (коп./год за днями тижня 1–7 і годинами).",
        description_en="The city's parking lots: where they are, their zone, how many "
                       "places, the tariffs (kopiyky an hour by weekday 1-7 and hour).",
        publisher="transport", theme="TRAN", keywords=("паркування", "транспорт"),
        frequency="DAILY",
        tables=(OpenTable("lots", "Майданчики", "Lots", (
            Column("code", "string", "Код на знаку", "Code on the sign"),
            Column("name", "string", "Назва", "Name"),
            Column("name_en", "string", "Назва англійською", "Name in English"),
            Column("zone", "string", "Зона", "Zone"),
            Column("zone_kind", "string", "Вид зони", "Zone kind"),
            Column("district", "string", "Район (КАТОТТГ)", "District (KATOTTG)"),
            Column("places", "integer", "Місць", "Places", "places"),
            Column("bookable", "boolean", "Можна бронювати", "Bookable"),
            Column("closed", "boolean", "Закритий", "Closed"),
            Column("tariffs", "string", "Тарифи", "Tariffs"),
            Column("lon", "number", "Довгота", "Longitude", "degree"),
            Column("lat", "number", "Широта", "Latitude", "degree"),
        ), lots, geometry=True),)),
    OpenDataset(
        name="parking-occupancy-hourly", title="Зайнятість паркувальних майданчиків за годину",
        title_en="Parking occupancy per hour",
        description="Середня зайнятість місць із датчиками кожного майданчика за кожну годину, "
                    f"%, за останні {WINDOW_DAYS} днів.",
        description_en="Each lot's mean occupancy of its sensed places per hour, %, over "
                       f"the last {WINDOW_DAYS} days.",
        publisher="transport", theme="TRAN", keywords=("паркування", "датчики"),
        frequency="HOURLY",
        tables=(OpenTable("hourly", "За годину", "Hourly", (
            Column("hour", "datetime", "Година (початок)", "Hour (start)"),
            Column("lot", "string", "Майданчик", "Lot"),
            Column("readings", "integer", "Показів", "Readings", "readings"),
            Column("occupancy", "number", "Зайнятість, %", "Occupancy, %", "%"),
        ), occupancy_hourly),)),
)
