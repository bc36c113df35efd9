"""Statistics per zone and hour of one local day: sessions started, minutes and money
(from the sessions), and the lots' mean occupancy (from the sensors' hourly tallies).
Tallies only: no plate, no person."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone

from misto.core.workdays import local_day
from misto.parking.models import OccupancyHour, Session


@dataclass
class ZoneHour:
    zone: str
    hour: int  # local hour 0..23
    sessions: int = 0
    minutes: int = 0
    amount: int = 0  # kopiyky
    samples: int = 0
    occupied: int = 0

    @property
    def occupancy(self) -> float | None:
        return round(100 * self.occupied / self.samples, 1) if self.samples else None


@dataclass
class DayStats:
    day: date
    rows: list[ZoneHour] = field(default_factory=list)

    @property
    def totals(self) -> dict[str, int]:
        return {"sessions": sum(r.sessions for r in self.rows),
                "minutes": sum(r.minutes for r in self.rows),
                "amount": sum(r.amount for r in self.rows)}


def per_zone_and_hour(day: date) -> DayStats:
    start, end = local_day(day)
    cells: dict[tuple[str, int], ZoneHour] = {}

    def cell(zone: str, at: datetime) -> ZoneHour:
        hour = timezone.localtime(at).hour
        return cells.setdefault((zone, hour), ZoneHour(zone, hour))

    for zone, started, minutes, amount in Session.objects.filter(
            started_at__gte=start, started_at__lt=end).values_list(
            "zone__code", "started_at", "minutes", "amount"):
        row = cell(zone, started)
        row.sessions += 1
        row.minutes += minutes
        row.amount += amount
    occupancy: dict[tuple[str, datetime], list[int]] = defaultdict(lambda: [0, 0])
    for zone, hour, samples, occupied in OccupancyHour.objects.filter(
            hour__gte=start, hour__lt=end).values_list("lot__zone__code", "hour", "samples",
                                                       "occupied"):
        occupancy[(zone, hour)][0] += samples
        occupancy[(zone, hour)][1] += occupied
    for (zone, hour), (samples, occupied) in occupancy.items():
        row = cell(zone, hour)
        row.samples += samples
        row.occupied += occupied
    return DayStats(day, sorted(cells.values(), key=lambda r: (r.zone, r.hour)))
