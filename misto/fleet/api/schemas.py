"""The fleet API's typed shapes (names start with Fleet: one OpenAPI name per schema)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from ninja import Field, Schema

DeviceUid = Annotated[str, Field(max_length=64, pattern=r"^[A-Za-z0-9._:-]*$")]


class FleetVehicleOut(Schema):
    id: int
    plate: str
    kind: str
    kind_label: str
    make: str
    department: str
    has_gps: bool
    fixed_at: datetime | None
    lon: float | None
    lat: float | None
    speed_kmh: float | None
    heading: float | None
    on_trip: bool
    fuel_l: float | None
    fuel_percent: int | None
    url: str


class FleetVehicleIn(Schema):
    plate: str = Field(min_length=4, max_length=16)
    kind: str = Field("car", max_length=16)
    make: str = Field("", max_length=100)
    department: str = Field("", max_length=64)
    tank_l: float = Field(ge=10, le=1000)
    norm_l_per_100km: float = Field(ge=1, le=100)
    tracker_uid: DeviceUid = ""
    fuel_sensor_uid: DeviceUid = ""
    odometer_km: float = Field(0, ge=0, le=10_000_000)


class FleetVehicleKeyOut(Schema):
    id: int
    plate: str
    key: str


class FleetTripOut(Schema):
    id: int
    started_at: datetime
    ended_at: datetime | None
    distance_km: float
    max_speed_kmh: float
    fuel_used_l: float | None
    l_per_100km: float | None
    refuelled_l: float
    drained_l: float


class FleetFuelEventOut(Schema):
    kind: str
    at: datetime
    litres: float
    level_before: float
    level_after: float
    lon: float | None
    lat: float | None


class FleetDayOut(Schema):
    vehicle_id: int
    day: date
    distance_km: float
    odometer_start_km: float
    odometer_end_km: float
    fuel_start_l: float | None
    fuel_end_l: float | None
    refuelled_l: float
    drained_l: float
    fuel_used_l: float | None
    l_per_100km: float | None
    norm_l: float
    trips: list[FleetTripOut]
    fuel_events: list[FleetFuelEventOut]


class FleetWaybillIn(Schema):
    vehicle_id: int = Field(ge=1, le=2**63 - 1)
    day: date
    driver_id: int = Field(ge=1, le=2**63 - 1)


class FleetWaybillOut(Schema):
    id: int
    number: str
    vehicle_id: int
    plate: str
    day: date
    status: str
    driver: str
    approved_by: str | None
    approved_at: datetime | None
    departed_at: datetime | None
    returned_at: datetime | None
    odometer_start_km: float
    odometer_end_km: float
    distance_km: float
    trips: int
    fuel_start_l: float | None
    fuel_end_l: float | None
    fuel_issued_l: float
    fuel_drained_l: float
    fuel_norm_l: float
    fuel_actual_l: float | None
    pdf: str
