"""What the notifications API reads and answers: one schema per shape, shared by the routers.

Times in answers are ISO 8601 strings exactly as the services write them (the feeds and the
pages show the same); incoming text refuses NUL bytes (PostgreSQL cannot store them).
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field

from misto.core.schemas import DbId, Limit

NO_NUL = r"^[^\x00]*$"
Code = Annotated[str, Field(max_length=40, pattern=NO_NUL)]
Short = Annotated[str, Field(max_length=200, pattern=NO_NUL)]
Long = Annotated[str, Field(max_length=20000, pattern=NO_NUL)]
Lon = Annotated[float, Field(ge=-180, le=180)]
Lat = Annotated[float, Field(ge=-90, le=90)]


# --- Public ---------------------------------------------------------------------------------


class TopicOut(Schema):
    code: str
    title: str
    title_uk: str
    title_en: str


class TopicsOut(Schema):
    topics: list[TopicOut]


class ListQuery(Schema):
    kind: Literal["announcement", "outage"] | None = None
    limit: Limit = 100


class AnnouncementProperties(Schema):
    """An announcement in a feed or on the outage map (the map leaves out its body)."""

    id: int
    kind: str
    outage_type: str | None
    emergency: bool
    urgent: bool
    title: str
    title_uk: str
    title_en: str
    topics: list[str]
    target: str
    districts: list[str]
    building_count: int
    starts_at: str | None
    ends_at: str | None
    published_at: str | None
    expires_at: str | None
    status: str
    url: str


class AnnouncementOut(AnnouncementProperties):
    body: str


class AnnouncementsOut(Schema):
    announcements: list[AnnouncementOut]


class OutageFeature(Schema):
    type: Literal["Feature"]
    id: int
    geometry: dict[str, Any]
    properties: AnnouncementProperties


class OutagesOut(Schema):
    """A GeoJSON FeatureCollection (served as ``application/geo+json``)."""

    type: Literal["FeatureCollection"]
    features: list[OutageFeature]


class UnsubscribeIn(Schema):
    token: Annotated[str, Field(max_length=2000, pattern=NO_NUL)]


class UnsubscribedOut(Schema):
    unsubscribed: bool
    scope: str
    topics: list[str]


class PushKeyOut(Schema):
    public_key: str


# --- Staff ----------------------------------------------------------------------------------


class AnnouncementIn(Schema):
    title_uk: Short
    title_en: Short = ""
    body_uk: Long = ""
    body_en: Long = ""
    topics: list[Code] = Field(max_length=50)
    target: Annotated[str, Field(max_length=20, pattern=NO_NUL)]
    kind: Annotated[str, Field(max_length=20, pattern=NO_NUL)] = "announcement"
    outage_type: Annotated[str, Field(max_length=20, pattern=NO_NUL)] = ""
    emergency: bool = False
    urgent: bool = False
    districts: list[Code] = Field(default=[], max_length=100)
    area: dict[str, Any] | None = None
    buildings: list[DbId] = Field(default=[], max_length=10000)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    publish_at: datetime | None = None
    expires_at: datetime | None = None


# --- Residents ------------------------------------------------------------------------------


class InboxQuery(Schema):
    limit: Limit = 50
    unread: bool = False


class MessageOut(Schema):
    id: int
    title: str
    body: str
    url: str
    urgent: bool
    announcement_id: int | None
    created_at: str
    read: bool


class InboxOut(Schema):
    unread: int
    messages: list[MessageOut]


class ReadIn(Schema):
    ids: list[DbId] | None = Field(default=None, max_length=1000)


class MarkedOut(Schema):
    marked: int


class SubscriptionOut(Schema):
    id: int
    topic: str
    district: str | None
    area: dict[str, Any] | None


class SubscriptionsOut(Schema):
    subscriptions: list[SubscriptionOut]


class SubscriptionsIn(Schema):
    topics: list[Code] = Field(max_length=50)
    districts: list[Code] = Field(default=[], max_length=100)
    city_wide: bool = False


class AreaIn(Schema):
    topics: list[Code] = Field(max_length=50)
    area: dict[str, Any]


class HomeIn(Schema):
    address: Short = ""
    lon: Lon | None = None
    lat: Lat | None = None


class HomeOut(Schema):
    home: str
    district: str
    building_id: int | None


class PreferencesIn(Schema):
    email_enabled: bool = True
    push_enabled: bool = True
    sms_enabled: bool = False
    telegram_enabled: bool = True
    viber_enabled: bool = True
    report_updates: bool = True
    quiet_start: time | None = None
    quiet_end: time | None = None
    language: Literal["uk", "en"] = "uk"
    addresses: dict[Literal["sms", "telegram", "viber"], Short] = {}


class PreferencesOut(Schema):
    email_enabled: bool
    push_enabled: bool
    sms_enabled: bool
    telegram_enabled: bool
    viber_enabled: bool
    report_updates: bool
    quiet_start: str | None
    quiet_end: str | None
    language: str
    home: str | None
    district: str | None
    building_id: int | None
    addresses: dict[str, str]
    channels: list[str]


class PushIn(Schema):
    endpoint: Annotated[str, Field(max_length=1000, pattern=NO_NUL)]
    keys: dict[Literal["p256dh", "auth"], Short]


class CreatedOut(Schema):
    id: int
