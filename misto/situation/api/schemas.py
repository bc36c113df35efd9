"""What the situation centre's API answers: the OpenAPI schema of every route's body.

The map's GeoJSON (``/incidents``, ``/devices``, ``/outages`` and an incident's Feature)
is answered as ``application/geo+json`` text rendered by the services (the map's text is
written by the database and cached); these classes describe that text for clients and the
fuzzer, which checks every answer against them.
"""

from __future__ import annotations

from typing import Any, Literal

from ninja import Schema


class PointOut(Schema):
    type: Literal["Point"]
    coordinates: list[float]


class SourceRef(Schema):
    module: str
    id: str


class IncidentPropertiesOut(Schema):
    id: int
    kind: str
    status: str
    severity: str
    district: str | None
    district_name: str
    sources: list[SourceRef]
    title: str
    address: str
    landmark: str
    department: str
    crew: int | None
    emergency: int | None
    opened_at: str | None
    assigned_at: str | None
    resolved_at: str | None


class IncidentFeatureOut(Schema):
    type: Literal["Feature"]
    id: int
    geometry: PointOut | None
    properties: IncidentPropertiesOut


class IncidentCollectionOut(Schema):
    """The live map: ``GET /incidents`` (a public interface, docs/interfaces.md)."""

    type: Literal["FeatureCollection"]
    features: list[IncidentFeatureOut]


class SourceDetailOut(Schema):
    module: str
    id: str
    event: str
    label: str
    severity: str
    observed_at: str
    last_seen_at: str
    cleared: bool
    lon: float | None
    lat: float | None


class IncidentHistoryOut(Schema):
    at: str
    action: str
    status: str
    note: str
    data: dict[str, Any]
    photo: str | None


class IncidentDetailPropertiesOut(IncidentPropertiesOut):
    sources_detail: list[SourceDetailOut]
    history: list[IncidentHistoryOut]


class IncidentDetailOut(Schema):
    """One incident with its sources and history (its map Feature, and more)."""

    type: Literal["Feature"]
    id: int
    geometry: PointOut | None
    properties: IncidentDetailPropertiesOut


class DevicePropertiesOut(Schema):
    device_id: str
    name: str
    model: str
    state: Literal["never", "ok", "alert", "offline"]
    district: str | None
    quantity: str
    value: float | None
    alerts: dict[str, Any]
    updated_at: str


class DeviceFeatureOut(Schema):
    type: Literal["Feature"]
    id: str
    geometry: PointOut | None
    properties: DevicePropertiesOut


class DeviceCollectionOut(Schema):
    type: Literal["FeatureCollection"]
    features: list[DeviceFeatureOut]


class OutagePropertiesOut(Schema):
    announcement_id: str
    kind: str
    emergency: bool
    title: str
    districts: list[str]
    building_count: int
    starts_at: str | None
    ends_at: str | None
    current: bool


class OutageFeatureOut(Schema):
    type: Literal["Feature"]
    id: str
    geometry: dict[str, Any] | None  # the GeoJSON geometry as announced
    properties: OutagePropertiesOut


class OutageCollectionOut(Schema):
    type: Literal["FeatureCollection"]
    features: list[OutageFeatureOut]


class ChangeOut(Schema):
    id: int
    topic: str
    data: dict[str, Any]


class ChangesOut(Schema):
    last: int
    changes: list[ChangeOut]


class KindCountOut(Schema):
    kind: str
    title: str
    count: int


class DistrictCountOut(Schema):
    district: str | None
    name: str
    count: int


class TimeFiguresOut(Schema):
    code: str
    title: str
    opened: int
    assigned: int
    resolved: int
    response_median: float | None
    response_mean: float | None
    response_within: float | None
    response_target: int | None
    resolution_median: float | None
    resolution_mean: float | None
    resolution_within: float | None
    resolution_target: int | None


class DevicesCountOut(Schema):
    """``online``: heard from and not offline; ``silent``: never seen or offline (the iot
    module's silent-devices page); ``alerting``: online with a reading out of range."""

    total: int
    online: int
    silent: int
    alerting: int


class EnvironmentOut(Schema):
    district: str | None
    name: str
    air: int
    air_alerts: int
    air_max: float | None
    noise: int
    noise_alerts: int
    noise_max: float | None


class TrendDayOut(Schema):
    day: str
    opened: int
    resolved: int


class EmergencyRefOut(Schema):
    id: int
    title: str


class DashboardOut(Schema):
    now: str
    open_total: int
    open_by_kind: list[KindCountOut]
    open_by_district: list[DistrictCountOut]
    open_by_severity: dict[str, int]
    response_times: list[TimeFiguresOut]
    devices: DevicesCountOut
    reports_today: int
    environment: list[EnvironmentOut]
    trend: list[TrendDayOut]
    emergencies: list[EmergencyRefOut]
    outages_current: int


class RuleOut(Schema):
    source: str
    value: str


class KindOut(Schema):
    code: str
    title: str
    department: str
    radius_m: int
    window_minutes: int
    same_street: bool
    response_target_minutes: int
    resolution_target_minutes: int
    color: str
    rules: list[RuleOut]


class KindsOut(Schema):
    kinds: list[KindOut]


class CrewOut(Schema):
    id: int
    name: str
    department: str
    active: bool


class CrewsOut(Schema):
    crews: list[CrewOut]


class EmergencyListItemOut(Schema):
    id: int
    title: str
    active: bool
    districts: list[str]
    started_at: str


class EmergenciesOut(Schema):
    emergencies: list[EmergencyListItemOut]


class ShelterOut(Schema):
    id: int
    name: str
    lon: float
    lat: float
    distance_m: float
    capacity: int | None = None
    inside: bool = False
    status: str = "unknown"


class WalkStepOut(Schema):
    name: str
    distance_m: int


class WalkOut(Schema):
    id: int
    name: str
    status: str
    capacity: int | None
    distance_m: int
    duration_s: int
    straight_m: int
    steps: list[WalkStepOut]
    route: dict[str, Any]


class WalkFromOut(Schema):
    label: str
    lon: float
    lat: float


class WalkingOut(Schema):
    """The open shelters quickest to walk to from ``start`` (null, with no shelters, for a
    city-wide emergency asked without a place)."""

    start: WalkFromOut | None = None
    shelters: list[WalkOut]


class EmergencyOut(Schema):
    id: int
    title: str
    kind: str
    districts: list[str]
    active: bool
    started_at: str
    ended_at: str | None
    area: dict[str, Any] | None
    incidents: list[int]
    building_count: int
    shelters: list[ShelterOut]
