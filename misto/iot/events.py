"""What the IoT module publishes (docs/events.md). It consumes no other module's events.

- ``iot.ReadingOutOfRange``: a threshold or rate rule was crossed (``cleared`` false) or
  went back to normal (``cleared`` true); exactly once per crossing, thanks to the rule
  state row and hysteresis.
- ``iot.ContainerFull``: the same payload, for rules that raise "container full".
- ``iot.DeviceOffline``: no data for the device's window (``back_online`` false), or data
  again (``back_online`` true).
- ``iot.DeviceRegistryChanged``: a device was registered, changed or removed (for the ledger).

Fields added beyond docs/events.md: ``kind`` (threshold/rate) and ``unit`` on the reading
events; ``version`` and ``status`` on DeviceRegistryChanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from misto.core.events import DomainEvent


@dataclass(frozen=True)
class ReadingOutOfRange(DomainEvent):
    device_id: str
    device_name: str
    model: str
    quantity: str
    value: float
    threshold: float
    rule_id: int
    severity: str
    public_impact: bool
    district: str | None
    lon: float | None
    lat: float | None
    feature_id: int | None
    observed_at: str
    cleared: bool
    kind: str = "threshold"
    unit: str = ""


@dataclass(frozen=True)
class ContainerFull(ReadingOutOfRange):
    pass


@dataclass(frozen=True)
class DeviceOffline(DomainEvent):
    device_id: str
    device_name: str
    district: str | None
    lon: float | None
    lat: float | None
    last_seen: str | None
    back_online: bool


@dataclass(frozen=True)
class DeviceSeen(DomainEvent):
    """A device is heard from for the first time (its first accepted reading)."""

    device_id: str
    device_name: str
    district: str | None
    lon: float | None
    lat: float | None
    first_seen: str


@dataclass(frozen=True)
class DeviceRegistryChanged(DomainEvent):
    # Fields copied into the public ledger (misto.ledger): public references only.
    ledgered: ClassVar[tuple[str, ...]] = ("device_id", "action", "version", "status")
    device_id: str
    action: str
    content_hash: str
    version: int
    status: str
