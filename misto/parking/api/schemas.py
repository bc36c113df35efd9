"""The parking API's typed shapes. Money is integer kopiyky (``*_kop``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field

Code = Annotated[str, Field(min_length=1, max_length=40)]
Plate = Annotated[str, Field(min_length=1, max_length=20)]


class ParkingLotOut(Schema):
    code: str
    name: str
    name_en: str
    zone: str
    zone_kind: str
    district: str | None
    lon: float
    lat: float
    places: int
    free: int
    disabled_free: int
    state: Literal["many", "few", "full", "closed", "nodata"]
    bookable: bool
    distance_m: float | None = None


class ParkingTariffOut(Schema):
    weekdays: str
    start_hour: int
    end_hour: int
    price_per_hour_kop: int
    max_stay_minutes: int | None


class ParkingZoneOut(Schema):
    code: str
    name: str
    name_en: str
    kind: str
    district: str | None
    tariffs: list[ParkingTariffOut]


class ParkingFeatureCollection(Schema):
    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[dict[str, Any]]


class ParkingPoint(Schema):
    type: Literal["Point"]
    coordinates: Annotated[list[float], Field(min_length=2, max_length=2)]


class ParkingCheckIn(Schema):
    registration_number: Plate
    location: ParkingPoint
    time: datetime | None = None


class ParkingCheckOut(Schema):
    allowed: bool
    end_time: datetime | None
    zone: str | None
    zone_kind: str | None
    reason: str
    time: datetime


class ParkingStartIn(Schema):
    registration_number: Plate
    lot: Code
    zone: Annotated[str, Field(max_length=20)] = ""
    place: Annotated[str, Field(max_length=10)] = ""


class ParkingSessionOut(Schema):
    id: str
    registration_number: str
    lot: str
    zone: str
    place: str | None
    started_at: datetime
    ends_at: datetime
    stopped_at: datetime | None
    stop_reason: str
    status: str
    minutes: int
    amount_kop: int
    receipt: str


class ParkingBookingIn(Schema):
    registration_number: Plate
    lot: Code
    starts_at: datetime
    ends_at: datetime


class ParkingBookingOut(Schema):
    id: str
    registration_number: str
    lot: str
    place: str
    starts_at: datetime
    ends_at: datetime
    amount_kop: int
    receipt: str
    cancelled_at: datetime | None = None
    refund_receipt: str = ""


class ParkingPermitIn(Schema):
    registration_number: Plate
    zone: Code


class ParkingPermitOut(Schema):
    registration_number: str
    zone: str
    kind: str
    valid_from: datetime
    valid_until: datetime


class ParkingStatsRowOut(Schema):
    zone: str
    hour: int
    sessions: int
    minutes: int
    amount_kop: int
    occupancy_percent: float | None


class ParkingStatsOut(Schema):
    day: str
    rows: list[ParkingStatsRowOut]
