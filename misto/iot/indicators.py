"""Indicators the IoT module computes for the City Progress Index
(``MistoModule.indicators``): the sensor network and what it measures.

Stocks (devices installed) are counted as they stood at the period's end; air quality and
noise are means of the raw readings of the period, from public devices only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet

from misto.core.registry import IndicatorFunction, Measure
from misto.iot.models import Aggregate, Device, EntityType, Reading

Compute = Callable[[datetime, datetime, str | None], Measure]


def _devices(end: datetime, district: str | None) -> QuerySet[Device]:
    rows = Device.objects.filter(active=True, installed_at__lt=end)
    return rows.filter(district=district) if district else rows


def _count(rows: QuerySet[Device]) -> Measure:
    count = rows.count()
    return Measure(float(count), count)


def devices(start: datetime, end: datetime, district: str | None) -> Measure:
    return _count(_devices(end, district))


def _of_type(kind: str) -> Compute:
    def count(start: datetime, end: datetime, district: str | None) -> Measure:
        return _count(_devices(end, district).filter(model__entity_type=kind))
    return count


def lorawan_devices(start: datetime, end: datetime, district: str | None) -> Measure:
    return _count(_devices(end, district).filter(dev_eui__isnull=False))


def online_share(start: datetime, end: datetime, district: str | None) -> Measure:
    """% of the devices in service in the period that reported at least once in it: a raw
    reading, or the hourly aggregate that outlives the raw readings. Answered from that
    history, so a past period gets its own share, never today's (version 1 read the
    device's current "offline" mark and last contact). In service: installed before the
    period's end and either active now or reporting in the period (a device retired
    since, silent in the period, is not counted: its retirement date is not kept)."""
    reported = Q(Exists(Reading.objects.filter(device_id=OuterRef("pk"), ts__gte=start,
                                               ts__lt=end))) | Q(Exists(
        Aggregate.objects.filter(device_id=OuterRef("pk"), period=Aggregate.Period.HOUR,
                                 start__gte=start, start__lt=end)))
    rows = Device.objects.filter(installed_at__lt=end).filter(Q(active=True) | reported)
    counts = (rows.filter(district=district) if district else rows).aggregate(
        total=Count("pk"), online=Count("pk", filter=reported))
    total = counts["total"]
    return Measure(100.0 * counts["online"] / total if total else None, total)


def _mean(quantity: str) -> Compute:
    def mean(start: datetime, end: datetime, district: str | None) -> Measure:
        ids = Device.objects.filter(public=True)
        if district:
            ids = ids.filter(district=district)
        found = Reading.objects.filter(quantity=quantity, ts__gte=start, ts__lt=end,
                                       device_id__in=ids.values("pk")).aggregate(
            mean=Avg("value"), n=Count("value"))
        return Measure(found["mean"], found["n"])
    return mean


def readings(start: datetime, end: datetime, district: str | None) -> Measure:
    count = Reading.objects.filter(ts__gte=start, ts__lt=end).count()
    return Measure(float(count), count)


def _declare(name: str, function: Compute, description: str, *,
             by_district: bool = True, version: int = 1) -> IndicatorFunction:
    return IndicatorFunction(name, function, description, version=version,
                             by_district=by_district)


INDICATORS = (
    _declare("iot.devices", devices, "Active devices installed by the period's end."),
    _declare("iot.air_sensors", _of_type(EntityType.AIR_QUALITY),
             "Active air-quality stations installed by the period's end."),
    _declare("iot.noise_sensors", _of_type(EntityType.NOISE),
             "Active noise sensors installed by the period's end."),
    _declare("iot.smart_bins", _of_type(EntityType.WASTE_CONTAINER),
             "Waste containers with a filling-level sensor."),
    _declare("iot.smart_lights", _of_type(EntityType.STREETLIGHT),
             "Street lights under remote management (a connected controller)."),
    _declare("iot.parking_sensors", _of_type(EntityType.PARKING_SPOT),
             "Parking spaces with an occupancy sensor."),
    _declare("iot.traffic_sensors", _of_type(EntityType.TRAFFIC),
             "Traffic-flow counters."),
    _declare("iot.water_meters", _of_type(EntityType.WATER),
             "Connected water-flow meters on the network."),
    _declare("iot.weather_stations", _of_type(EntityType.WEATHER), "Weather stations."),
    _declare("iot.lorawan_devices", lorawan_devices,
             "Active devices connected over LoRaWAN."),
    _declare("iot.online_share", online_share,
             "% of the devices in service that reported in the period.", version=2),
    _declare("iot.pm25_mean", _mean("pm25"),
             "Mean PM2.5 concentration over the period's readings of public stations."),
    _declare("iot.pm10_mean", _mean("pm10"),
             "Mean PM10 concentration over the period's readings of public stations."),
    _declare("iot.no2_mean", _mean("no2"),
             "Mean NO2 concentration over the period's readings of public stations."),
    _declare("iot.noise_mean", _mean("LAeq"),
             "Mean equivalent noise level LAeq over the period's readings."),
    _declare("iot.readings", readings, "Readings received in the period.",
             by_district=False),
)
