"""A vehicle's day: its trips, kilometres, fuel used per 100 km, refuels and drains, and
its odometer, read from the fleet's own tables (what the waybill and the pages show)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Sum

from misto.core.workdays import local_day
from misto.fleet.models import FuelEvent, FuelLevel, Trip, Vehicle


@dataclass(frozen=True)
class Day:
    vehicle: Vehicle
    day: date
    trips: list[Trip]
    events: list[FuelEvent]
    distance_km: float
    odometer_start_km: float
    odometer_end_km: float
    fuel_start_l: float | None
    fuel_end_l: float | None
    refuelled_l: float
    drained_l: float

    @property
    def fuel_used_l(self) -> float | None:
        if self.fuel_start_l is None or self.fuel_end_l is None:
            return None
        return round(self.fuel_start_l - self.fuel_end_l + self.refuelled_l - self.drained_l,
                     1)

    @property
    def l_per_100km(self) -> float | None:
        used = self.fuel_used_l
        if used is None or self.distance_km < 1:
            return None
        return round(used / self.distance_km * 100, 1)

    @property
    def norm_l(self) -> float:
        return round(self.distance_km * self.vehicle.norm_l_per_100km / 100, 1)


def day_of(vehicle: Vehicle, day: date) -> Day:
    start, end = local_day(day)
    trips = list(Trip.objects.filter(vehicle=vehicle, started_at__gte=start,
                                     started_at__lt=end).order_by("started_at"))
    before = Trip.objects.filter(vehicle=vehicle, started_at__lt=start).aggregate(
        m=Sum("distance_m"))["m"] or 0.0
    distance_km = round(sum(t.distance_m for t in trips) / 1000, 1)
    odometer = round(vehicle.odometer_km + before / 1000, 1)
    levels = FuelLevel.objects.filter(vehicle=vehicle, ts__gte=start, ts__lt=end)
    first = levels.order_by("ts").values_list("level_l", flat=True).first()
    last = levels.order_by("-ts").values_list("level_l", flat=True).first()
    events = list(FuelEvent.objects.filter(vehicle=vehicle, at__gte=start, at__lt=end))
    refuelled = round(sum(e.litres for e in events if e.kind == FuelEvent.Kind.REFUEL), 1)
    drained = round(sum(e.litres for e in events if e.kind == FuelEvent.Kind.DRAIN), 1)
    return Day(vehicle, day, trips, events, distance_km, odometer,
               round(odometer + distance_km, 1),
               round(first, 1) if first is not None else None,
               round(last, 1) if last is not None else None, refuelled, drained)
