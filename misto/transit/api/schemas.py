"""The transit API's typed shapes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from ninja import Field, Schema

from misto.core.schemas import Instant

StopCode = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[\w.:-]+$")]


class StopOut(Schema):
    id: str
    code: str
    name: str
    lon: float
    lat: float
    district: str
    landmark: str
    address: str
    url: str


class LoadOut(Schema):
    passengers: int | None
    free_seats: int | None
    occupancy_percentage: int | None
    occupancy_status: str
    label: str


class ArrivalOut(Schema):
    route_id: str
    route: str
    headsign: str
    trip_id: str
    service_date: str
    scheduled: datetime
    predicted: datetime | None
    live: bool
    minutes: int
    delay_s: int | None
    vehicle: str
    load: LoadOut | None


class BoardOut(Schema):
    stop: StopOut
    now: datetime
    live_feed_stale: bool
    last_update: datetime | None
    arrivals: list[ArrivalOut]


class VehicleOut(Schema):
    id: str
    label: str
    lon: float
    lat: float
    bearing: float | None
    speed: float | None
    fixed_at: datetime
    route_id: str
    route: str
    trip_id: str
    headsign: str
    delay_s: int | None
    next_stop: str
    load: LoadOut


class TransitRouteOut(Schema):
    id: str
    short_name: str
    long_name: str
    type: int
    color: str


class BucketOut(Schema):
    horizon_minutes: str
    samples: int
    accurate: int
    share: float | None
    mean_abs_error_s: float | None
    median_error_s: float | None


class AccuracyOut(Schema):
    route_id: str = Field(description='"" for all routes together')
    route: str
    service_date: date | None
    samples: int
    score: float | None = Field(description="ETA Accuracy Benchmark score, 0..1: the mean of "
                                            "the four horizons' accurate shares")
    buckets: list[BucketOut]


class AlertOut(Schema):
    id: int
    header: str
    description: str
    effect: str
    route_ids: list[str]
    stop_ids: list[str]
    starts_at: datetime | None
    ends_at: datetime | None
    source: str


class AlertIn(Schema):
    header: str = Field(min_length=1, max_length=200)
    header_en: str = Field("", max_length=200)
    description: str = Field("", max_length=4000)
    description_en: str = Field("", max_length=4000)
    effect: str = "OTHER_EFFECT"
    route_ids: list[Annotated[str, Field(max_length=100)]] = Field(default_factory=list,
                                                                   max_length=100)
    stop_ids: list[Annotated[str, Field(max_length=100)]] = Field(default_factory=list,
                                                                  max_length=500)
    starts_at: Instant | None = None
    ends_at: Instant | None = None


class GapOut(Schema):
    leader: str
    follower: str
    headway_s: int = Field(description="predicted, at the leader's next stop")
    scheduled_s: int = Field(description="the timetable's headway there")
    bunched: bool


class RouteNowOut(Schema):
    route_id: str
    route: str
    vehicles: int
    counted: int
    occupancy_percentage: int | None
    mean_delay_s: int | None
    overloaded_since: datetime | None
    raised: bool
    gaps: list[GapOut]


class DeadFixOut(Schema):
    vehicle: str
    received_at: datetime
    reason: str
    reason_label: str
    fixed_at: datetime | None


class VehicleIn(Schema):
    code: str = Field(min_length=1, max_length=50, pattern=r"^[\w.-]+$")
    label: str = Field("", max_length=100)
    seats: int = Field(30, ge=0, le=500)
    capacity: int = Field(80, ge=1, le=1000)


class OnboardDeviceIn(Schema):
    vehicle: str = Field(min_length=1, max_length=50, description="the fleet number")
    kind: str = Field(description="tracker | counter | validator")
    code: str = Field(min_length=1, max_length=64,
                      description="the IoT device uid, or the wallet's validator code")


class OnboardDeviceOut(Schema):
    vehicle: str
    kind: str
    code: str


class VehicleKeyOut(Schema):
    code: str
    key: str = Field(description="the tracker's key, shown once (only a digest is kept)")


class FeedOut(Schema):
    id: int
    name: str
    sha256: str
    imported_at: datetime
    stops: int
    routes: int
    trips: int


class FixIn(Schema):
    ts: datetime
    lat: float
    lon: float
    speed: float | None = Field(None, ge=0, le=200, description="metres per second")
    bearing: float | None = Field(None, ge=0, le=360)
    trip_id: str = Field("", max_length=100)
    passengers: int | None = Field(None, ge=0, le=1000, description="on board (counter)")
    boarded: int = Field(0, ge=0, le=1000, alias="in")
    alighted: int = Field(0, ge=0, le=1000, alias="out")


class FixesIn(Schema):
    fixes: list[FixIn] = Field(min_length=1, max_length=500)


class FixOutcomeOut(Schema):
    accepted: bool
    reason: str
    trip_id: str
    delay_s: int | None


class FixesOut(Schema):
    accepted: int
    dead_lettered: int
    results: list[FixOutcomeOut]


class FlowOut(Schema):
    route_id: str
    stop_id: str
    hour: int
    boarded: int
    alighted: int


class FlowFilter(Schema):
    day: date | None = Field(None, description="the service day (default: today)")
    route_id: str = Field("", max_length=100)


class CoverageOut(Schema):
    vehicles: int = Field(description="vehicles in service (registered, active)")
    with_gps: int = Field(description="of them, heard from by GPS at least once")
    on_map: int = Field(description="of them, on the live map now")
    share_on_map: float | None = Field(description="on_map / vehicles, 0..1")
