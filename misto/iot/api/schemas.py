"""The answers and query parameters of the IoT API (``/api/iot/``) and the webhooks."""

from __future__ import annotations

from ninja import Schema
from pydantic import Field


class LatestValue(Schema):
    value: float
    ts: str


class DeviceOut(Schema):
    id: str
    name: str
    model: str
    type: str = Field(description="The NGSI-LD entity type (a FIWARE Smart Data Model).")
    lon: float | None
    lat: float | None
    district: str | None = Field(description="KATOTTG code of the district.")
    feature_id: int | None = Field(description="The twin feature the device stands on.")
    status: str = Field(description="online, offline or never (seen).")
    last_seen: str | None
    battery: float | None
    latest: dict[str, LatestValue]


class DevicesOut(Schema):
    devices: list[DeviceOut]


class DevicesQuery(Schema):
    model: str | None = Field(None, description="Only devices of this model (its code).")


class TimeQuery(Schema):
    """Times are checked by the service, so that a bad one answers ``bad_time`` (400)."""

    quantity: str = Field("", description="A quantity code of the device's model.")
    start: str | None = Field(None, alias="from", description="ISO 8601 with a time zone; "
                                                              "default: a day before to")
    end: str | None = Field(None, alias="to", description="ISO 8601 with a time zone; "
                                                          "default: now")


class HistoryQuery(TimeQuery):
    limit: int = Field(10_000, description="At most this many readings (1-100000), newest.")


class AggregatesQuery(TimeQuery):
    period: str = Field("hour", description="hour or day")


class ReadingOut(Schema):
    ts: str
    value: float


class IotHistoryOut(Schema):
    device: str
    quantity: str
    readings: list[ReadingOut]


class AggregateOut(Schema):
    start: str
    count: int
    mean: float
    min: float
    max: float


class AggregatesOut(Schema):
    device: str
    quantity: str
    period: str
    aggregates: list[AggregateOut]


class StoredOut(Schema):
    stored: int = Field(description="Readings stored (a redelivered reading counts again "
                                    "but is stored once).")


class IotDeadLetterOut(Schema):
    id: int
    received_at: str
    channel: str
    source: str
    device: str
    reason: str
    detail: str


class DeadLettersOut(Schema):
    dead_letters: list[IotDeadLetterOut]
