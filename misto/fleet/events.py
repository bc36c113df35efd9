"""What the fleet module publishes (its contract; docs/events.md). Nothing personal: the
vehicle's plate and department, litres, where and when; never the driver.

- ``fleet.RefuelDetected``: the filtered fuel level rose by at least the threshold.
- ``fleet.FuelDrainDetected``: it fell by at least the threshold while the vehicle stood
  (parked: not on a trip); for the situational centre.
"""

from __future__ import annotations

from dataclasses import dataclass

from misto.core.events import DomainEvent


@dataclass(frozen=True)
class RefuelDetected(DomainEvent):
    vehicle_id: int
    plate: str
    department: str
    litres: float
    at: str  # ISO 8601
    level_before: float
    level_after: float
    lon: float | None = None
    lat: float | None = None


@dataclass(frozen=True)
class FuelDrainDetected(DomainEvent):
    vehicle_id: int
    plate: str
    department: str
    litres: float
    at: str
    level_before: float
    level_after: float
    lon: float | None = None
    lat: float | None = None
