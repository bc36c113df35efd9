"""The fleet's part of the demo city: a dozen municipal vehicles, each with the iot demo's
GPS tracker (``trk-00NN``) and fuel sensor (``fuel-00NN``), and yesterday's history driven
through the same path as live readings (``tracking.apply``): trips across the city, noisy
fuel readings, one refuel (the first car, at noon) and one drain (the second, parked at
night); and the first car's waybill, filled and waiting for the dispatcher. Safe to run
again: a vehicle that has a track keeps it."""

from __future__ import annotations

import math
import random
from datetime import datetime, time, timedelta
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from misto.fleet.models import Position, Vehicle, Waybill
from misto.fleet.services import tracking, vehicles, waybills

# plate, kind, make, department, tank, norm l/100 km
FLEET = [
    ("AP1001KM", "car", "Škoda Octavia", "transport", 50, 7.5),
    ("AP1002KM", "car", "Renault Duster", "housing", 50, 8.3),
    ("AP1003KM", "van", "Ford Transit", "housing", 80, 11.5),
    ("AP1004KM", "utility", "МАЗ-5337 (аварійна)", "water", 200, 26.0),
    ("AP1005KM", "car", "Toyota Corolla", "improvement", 50, 6.9),
    ("AP1006KM", "truck", "Mercedes Atego", "waste", 150, 24.0),
    ("AP1007KM", "van", "Volkswagen Crafter", "roads", 75, 11.0),
    ("AP1008KM", "car", "Škoda Octavia", "green", 50, 7.5),
    ("AP1009KM", "utility", "ЗІЛ-130 (поливальна)", "roads", 170, 31.0),
    ("AP1010KM", "car", "Renault Logan", "heating", 50, 7.2),
    ("AP1011KM", "van", "Peugeot Boxer", "light", 90, 12.0),
    ("AP1012KM", "car", "Hyundai Tucson", "transport", 62, 9.0),
]
WEST, SOUTH, EAST, NORTH = 35.125, 47.822, 35.205, 47.868


def _history(vehicle: Vehicle, n: int, day: datetime) -> list[tracking.Reading]:
    """A day of one vehicle: parked fixes, three trips, fuel every minute with noise."""
    rng = random.Random(n)
    lon, lat = rng.uniform(WEST, EAST), rng.uniform(SOUTH, NORTH)
    fuel = vehicle.tank_l * (0.35 if n == 1 else rng.uniform(0.45, 0.7))  # room for 30 l
    rows: list[tracking.Reading] = []
    clock = day + timedelta(hours=7, minutes=rng.randint(0, 50))
    rows.append(tracking.Reading(day + timedelta(hours=6), tracking.Fix(
        day + timedelta(hours=6), lon, lat, 0.0, 0.0, False), round(fuel, 1)))
    for leg, start_hour in enumerate((8, 12, 16)):
        parked_until = day + timedelta(hours=start_hour, minutes=rng.randint(0, 40))
        while clock < parked_until:  # parked: a fix and a fuel reading every 10 minutes
            fuel_now = fuel
            if n == 1 and leg == 1 and clock >= day + timedelta(hours=11, minutes=40):
                fuel_now = fuel + 30  # the refuel: 30 l at a filling station
            rows.append(tracking.Reading(clock, tracking.Fix(clock, lon, lat, 0.0, 0.0, False),
                                         round(fuel_now + rng.gauss(0, 0.6), 1)))
            clock += timedelta(minutes=2)
        if n == 1 and leg == 1:
            fuel += 30
        to_lon, to_lat = rng.uniform(WEST, EAST), rng.uniform(SOUTH, NORTH)
        steps = rng.randint(50, 80)
        heading = math.degrees(math.atan2(to_lon - lon, to_lat - lat)) % 360
        for i in range(1, steps + 1):
            clock += timedelta(seconds=20)
            x, y = lon + (to_lon - lon) * i / steps, lat + (to_lat - lat) * i / steps
            speed = rng.uniform(25, 50)
            fuel -= speed / 3.6 * 20 / 100_000 * vehicle.norm_l_per_100km * rng.uniform(0.9, 1.2)
            slosh = rng.gauss(0, 1.5) + (6 if rng.random() < 0.03 else 0)
            rows.append(tracking.Reading(clock, tracking.Fix(clock, x, y, speed, heading, True),
                                         round(fuel + slosh, 1)))
        lon, lat = to_lon, to_lat
        clock += timedelta(seconds=30)
        rows.append(tracking.Reading(clock, tracking.Fix(clock, lon, lat, 0.0, heading, False),
                                     round(fuel, 1)))
    night, drain_at = day + timedelta(hours=23), day + timedelta(hours=22, minutes=15)
    while clock < night:
        clock += timedelta(minutes=5)
        if n == 2 and drain_at <= clock < drain_at + timedelta(minutes=5):
            fuel -= 15  # the drain: 15 l siphoned while parked
        rows.append(tracking.Reading(clock, tracking.Fix(clock, lon, lat, 0.0, 0.0, False),
                                     round(fuel + rng.gauss(0, 0.6), 1)))
    return rows


def load(stdout: IO[str] | Any) -> None:
    created = 0
    for n, (plate, kind, make, department, tank, norm) in enumerate(FLEET, start=1):
        draft = vehicles.check_vehicle(vehicles.VehicleDraft(
            plate, kind, make, department, tank, norm, f"trk-{n:04d}", f"fuel-{n:04d}",
            10_000.0 * n))
        if not Vehicle.objects.filter(plate=draft.plate).exists():
            vehicles.do_register(draft)
            created += 1
    yesterday = timezone.make_aware(datetime.combine(
        timezone.localdate() - timedelta(days=1), time()))
    histories = 0
    for n, (plate, *_rest) in enumerate(FLEET, start=1):
        vehicle = Vehicle.objects.get(plate=plate)
        if Position.objects.filter(vehicle=vehicle).exists():
            continue
        tracking.apply({vehicle: _history(vehicle, n, yesterday)})
        histories += 1
    _waybill(yesterday)
    stdout.write(f"  fleet: {created} vehicles registered, {histories} days of history\n")


def _waybill(day: datetime) -> None:
    users = get_user_model().objects
    driver = users.filter(username="demo-operator").first()
    clerk = users.filter(username="demo-dispatcher").first()
    first = Vehicle.objects.get(plate=FLEET[0][0])
    if driver is None or clerk is None or Waybill.objects.filter(vehicle=first).exists():
        return
    waybills.do_fill(waybills.check_fill(clerk, first, day.date(), driver.pk))
