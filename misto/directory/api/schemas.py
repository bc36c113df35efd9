"""The directory API's typed shapes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field

Slug = Annotated[str, Field(pattern=r"^[-a-zA-Z0-9_]+$", max_length=80)]
Query_ = Annotated[str, Field(max_length=200)]


class PlaceFilter(Schema):
    q: Query_ = ""
    kind: Annotated[str, Field(max_length=16)] = ""
    open_now: bool = False
    limit: Annotated[int, Field(ge=1, le=200)] = 50


class ServiceFilter(Schema):
    q: Query_ = ""


class ContactOut(Schema):
    kind: str
    value: str
    label: str
    href: str


class StatusOut(Schema):
    state: str
    text: str
    closes_at: datetime | None
    opens_at: datetime | None
    closed_today_reason: str | None


class DayOut(Schema):
    day: date
    hours: list[str]
    closed_reason: str | None


class PlaceOut(Schema):
    slug: str
    name: str
    organisation: str
    kind: str
    lon: float
    lat: float
    address: str
    landmark: str
    district: str
    status: StatusOut
    url: str


class ClosureOut(Schema):
    id: int
    start: date
    end: date
    reason: str


class PhotoOut(Schema):
    id: int
    url: str
    width: int
    height: int
    caption: str


class PlaceDetailOut(PlaceOut):
    opening_hours: str
    closed_on_days_off: bool
    week: list[DayOut]
    closures: list[ClosureOut]
    contacts: list[ContactOut]
    languages: list[str]
    accessibility: dict[str, bool]
    services: list[str]
    maintained_by: str
    photos: list[PhotoOut] = []


class EServiceOut(Schema):
    slug: str
    title: str
    summary: str
    documents: list[str]
    cost: str
    term: str
    online_url: str
    diia_url: str
    places: list[str]


class ApplicationOut(Schema):
    """An application a partner connected to one of the city's APIs."""

    name: str
    interface: str


class PartnerOut(Schema):
    slug: str
    name: str
    role: str
    offer: str
    website: str
    applications: list[ApplicationOut] = []  # its registered API clients (never keys)


class DirectoryCorrectionIn(Schema):
    text: Annotated[str, Field(min_length=1, max_length=2000)]


class DirectoryCorrectionOut(Schema):
    id: int
    unit: str
    status: str
    text: str
    created_at: datetime
    note: str


class ResolveIn(Schema):
    fixed: bool
    note: Annotated[str, Field(max_length=2000)] = ""


class HoursIn(Schema):
    opening_hours: Annotated[str, Field(max_length=1000)]
    closed_on_days_off: bool | None = None


class ClosureIn(Schema):
    start: date
    end: date
    reason_uk: Annotated[str, Field(max_length=200)]
    reason_en: Annotated[str, Field(max_length=200)] = ""


class ContactIn(Schema):
    kind: Annotated[str, Field(max_length=8)]
    value: Annotated[str, Field(max_length=300)]
    label: Annotated[str, Field(max_length=100)] = ""


class ContactsIn(Schema):
    contacts: Annotated[list[ContactIn], Field(max_length=30)]


class LocationIn(Schema):
    lon: Annotated[float, Field(ge=-180, le=180)]
    lat: Annotated[float, Field(ge=-90, le=90)]


class ImportFor(Schema):
    department: Annotated[str, Field(pattern=r"^[-a-z0-9_]*$", max_length=64)] = ""


class HsdsImportOut(Schema):
    organizations: int
    locations: int


HsdsDocument = dict[str, Any]


class SentOut(Schema):
    """The correction reached the maintainer's queue (who sent it is never answered)."""

    sent: bool


class NearestSheltersFilter(Schema):
    lon: Annotated[float, Field(ge=-180, le=180)]
    lat: Annotated[float, Field(ge=-90, le=90)]
    n: Annotated[int, Field(ge=1, le=10)] = 3


class ShelterStepOut(Schema):
    name: str
    distance_m: int
    duration_s: int


class NearestShelterOut(Schema):
    """An open shelter and the walk to it (``route``: a GeoJSON LineString Feature with
    ``distance_m`` and ``duration_s``, from the point asked to the shelter)."""

    id: int
    name: str
    name_en: str
    lon: float
    lat: float
    status: str
    capacity: int | None
    kind: str
    accessible: bool | None
    hours: str
    address: str
    distance_m: int
    duration_s: int
    straight_m: int
    steps: list[ShelterStepOut]
    route: dict[str, Any]


class PhotoIn(Schema):
    caption_uk: Annotated[str, Field(min_length=1, max_length=200)]
    caption_en: Annotated[str, Field(max_length=200)] = ""


class ApiClientIn(Schema):
    name: Annotated[str, Field(min_length=1, max_length=200)]


class ApiClientOut(Schema):
    id: int
    partner: str
    name: str
    prefix: str
    active: bool
    created_at: datetime
    last_used_at: datetime | None


class IssuedKeyOut(ApiClientOut):
    """The key is shown here once: only its hash is kept."""

    key: str
