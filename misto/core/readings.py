"""Device readings handed to the module that owns what a device measures.

A parking-place sensor, a vehicle tracker and a fuel-level sensor are IoT devices: the iot
module registers them, authenticates their messages, validates and stores the readings. What
the readings *mean* (a place fell free, a bus moved, a tank was drained) belongs to parking,
transit and fleet, which may not import the optional iot module. Domain events would carry
them, but the outbox is for facts that happen rarely (a threshold crossed); a tracker sends a
fix every few seconds. So the core holds one small contract, like :mod:`misto.core.payments`:

- a module declares :class:`misto.core.registry.ReadingSink` objects
  (``MistoModule.reading_sinks``): the device model codes it takes and a handler;
- the iot module calls :func:`deliver` inside the transaction that stores a batch, with one
  :class:`Sample` per device and instant, only for the claimed models (others cost a set
  lookup), so a sink's changes commit with the readings or not at all.

A redelivered message reaches the sinks again (the readings table skips it, but the iot
module does not know which rows were new without a second query): a sink must ignore a
sample that is not newer than what it has seen, as the iot rules do.
docs/architecture.md, "Readings for other modules".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Protocol

from django.utils.module_loading import import_string

from misto.core.registry import modules


@dataclass(frozen=True)
class Sample:
    """What one device measured at one instant: every quantity of one reading object."""

    device: str  # the device's uid, the key a sink's own table refers to
    model: str  # the device model's code
    ts: datetime
    values: Mapping[str, float]  # quantity code -> value (validated by the iot module)


Handler = Callable[[Sequence[Sample]], None]


@cache
def _routes() -> dict[str, tuple[Handler, ...]]:
    routes: dict[str, list[Handler]] = defaultdict(list)
    for config in modules():
        for sink in config.reading_sinks:
            handler: Handler = import_string(sink.handler)
            for model in sink.models:
                routes[model].append(handler)
    return {model: tuple(handlers) for model, handlers in routes.items()}


def claimed_models() -> frozenset[str]:
    """Device model codes some installed module takes readings of (empty: nothing to do)."""
    return frozenset(_routes())


def reset() -> None:
    """Forget the routes (tests that change the installed modules)."""
    _routes.cache_clear()


def deliver(samples: Iterable[Sample]) -> int:
    """Hand each sample to the sinks of its model, in time order; returns how many were
    handed over. Errors propagate: the storing transaction rolls back and the message is
    redelivered, so a sink's bug never loses readings."""
    routes = _routes()
    batches: dict[Handler, list[Sample]] = defaultdict(list)
    count = 0
    for sample in samples:
        for handler in routes.get(sample.model, ()):
            batches[handler].append(sample)
            count += 1
    for handler, batch in batches.items():
        batch.sort(key=lambda sample: sample.ts)
        handler(batch)
    return count


# --- Speaking as a demo device ----------------------------------------------------------
#
# A module's simulator (``misto simulate transit``) plays the demo city's devices. It must
# talk as a real device does, over the device channel the iot module serves (MQTT, with the
# device's own credentials), without importing the iot module. So the iot module registers a
# ``DemoDevices`` when it starts (its ``ready``), and a simulator calls :func:`send_as_demo`.


class DeviceChannelError(Exception):
    """No device channel here (the iot module is off, ``MQTT_URL`` unset or not on this
    machine), or the broker refused the device (the demo's credentials are not set)."""


class DemoDevices(Protocol):
    def send(self, samples: Sequence[Sample]) -> None:
        """Send each sample as its device would, with the demo device's credentials, and
        return when the channel has taken them; raise :class:`DeviceChannelError`."""


_demo_devices: DemoDevices | None = None


def register_demo_devices(channel: DemoDevices | None) -> None:
    global _demo_devices
    _demo_devices = channel


def send_as_demo(samples: Sequence[Sample]) -> None:
    """Send readings as the demo city's devices (simulators only)."""
    if _demo_devices is None:
        raise DeviceChannelError("no device channel: the iot module is not installed")
    if samples:
        _demo_devices.send(samples)
