"""The IoT module's open datasets (``MistoModule.datasets``): the public devices (where they
stand and what they measure, never their credentials or maintenance notes) and the hourly
means of the public sensors' readings per quantity and district over the last
``WINDOW_DAYS`` days, from the hourly aggregates (a city-wide statistic, not any one
device's raw series). Private devices are in neither."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.db.models import Count, Max, Min, Sum
from django.utils import timezone

from misto.core.registry import Column, OpenDataset, OpenTable
from misto.iot.models import Aggregate, Device, Quantity

WINDOW_DAYS = 30


def devices() -> Iterator[dict[str, Any]]:
    for device in (Device.objects.filter(public=True).select_related("model")
                   .order_by("uid")):
        point = device.location
        yield {"id": device.uid, "name": device.name, "name_en": device.name_en,
               "model": device.model.code, "type": device.model.entity_type,
               "quantities": " ".join(device.model.quantities or []),
               "owner_department": device.owner_department, "district": device.district,
               "active": device.active,
               "installed_on": timezone.localdate(device.installed_at),
               "lon": point.x if point else None, "lat": point.y if point else None,
               "geometry": {"type": "Point", "coordinates": [point.x, point.y]}
               if point else None}


def hourly_means() -> Iterator[dict[str, Any]]:
    """One row per hour, quantity and district: the public sensors' count, readings, mean,
    minimum and maximum, summed in SQL from the hourly aggregates (one GROUP BY per
    district: its devices are few, the aggregates many)."""
    since = timezone.now() - timedelta(days=WINDOW_DAYS)
    quantities = {quantity.code: quantity for quantity in Quantity.objects.all()}
    by_district: dict[str, list[int]] = {}
    for pk, district in Device.objects.filter(public=True).values_list("pk", "district"):
        by_district.setdefault(district, []).append(pk)
    rows = []
    for district, devices in by_district.items():
        rows += [{**row, "district": district} for row in (
            Aggregate.objects.filter(period=Aggregate.Period.HOUR, start__gte=since,
                                     device_id__in=devices)
            .values("start", "quantity")
            .annotate(sensors=Count("device_id", distinct=True), readings=Sum("count"),
                      total=Sum("total"), low=Min("minimum"), high=Max("maximum"))
            .order_by())]
    rows.sort(key=lambda row: (row["start"], row["quantity"], row["district"]))
    for row in rows:
        quantity = quantities.get(row["quantity"])
        yield {"hour": row["start"], "quantity": row["quantity"],
               "quantity_name": quantity.name_uk if quantity else row["quantity"],
               "unit": quantity.unit_label if quantity else "",
               "district": row["district"] or None, "sensors": row["sensors"],
               "readings": row["readings"],
               "mean": round(row["total"] / row["readings"], 3) if row["readings"] else None,
               "minimum": row["low"], "maximum": row["high"]}


DATASETS = (
    OpenDataset(
        name="sensor-devices", title="Датчики та пристрої міста",
        title_en="The city's sensors and devices",
        description="Публічні датчики (якість повітря, шум, контейнери, паркування...): де "
                    "стоять, що вимірюють, хто обслуговує.",
        description_en="The public sensors (air quality, noise, waste containers, "
                       "parking...): where they stand, what they measure, who keeps them.",
        publisher="it", theme="TECH", keywords=("датчики", "IoT", "пристрої"),
        frequency="DAILY", stale_on=("iot.DeviceRegistryChanged",),
        tables=(OpenTable("devices", "Пристрої", "Devices", (
            Column("id", "string", "Ідентифікатор", "Identifier"),
            Column("name", "string", "Назва", "Name"),
            Column("name_en", "string", "Назва англійською", "Name in English"),
            Column("model", "string", "Модель (код)", "Model code"),
            Column("type", "string", "Тип (Smart Data Models)", "Type (Smart Data Models)"),
            Column("quantities", "string", "Що вимірює", "What it measures"),
            Column("owner_department", "string", "Підрозділ", "Department"),
            Column("district", "string", "Район (КАТОТТГ)", "District (KATOTTG)"),
            Column("active", "boolean", "Працює", "Active"),
            Column("installed_on", "date", "Встановлено", "Installed on"),
            Column("lon", "number", "Довгота", "Longitude", "degree"),
            Column("lat", "number", "Широта", "Latitude", "degree"),
        ), devices, geometry=True),)),
    OpenDataset(
        name="sensor-readings-hourly", title="Показники датчиків: середні за годину",
        title_en="Sensor readings: hourly means",
        description="Середні, мінімальні та максимальні значення публічних датчиків за "
                    f"кожну годину, за величиною та районом, за останні {WINDOW_DAYS} днів.",
        description_en="Hourly mean, minimum and maximum of the public sensors' readings per "
                       f"quantity and district over the last {WINDOW_DAYS} days.",
        publisher="it", theme="ENVI",
        keywords=("якість повітря", "шум", "датчики", "IoT"), frequency="HOURLY",
        tables=(OpenTable("hourly", "Середні за годину", "Hourly means", (
            Column("hour", "datetime", "Година (початок)", "Hour (start)"),
            Column("quantity", "string", "Величина (код)", "Quantity code"),
            Column("quantity_name", "string", "Величина", "Quantity"),
            Column("unit", "string", "Одиниця", "Unit"),
            Column("district", "string", "Район (КАТОТТГ)", "District (KATOTTG)"),
            Column("sensors", "integer", "Датчиків", "Sensors", "sensors"),
            Column("readings", "integer", "Показів", "Readings", "readings"),
            Column("mean", "number", "Середнє", "Mean"),
            Column("minimum", "number", "Мінімум", "Minimum"),
            Column("maximum", "number", "Максимум", "Maximum"),
        ), hourly_means),)),
)
