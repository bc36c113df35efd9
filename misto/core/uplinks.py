"""Device messages that are not readings, handed to the module that owns them.

A ride validator is an IoT device: the iot module registers it, gives it broker credentials
and authenticates what it publishes. But a batch of taps (tap ids, signed tokens, card
numbers, tap times) is no reading of numeric quantities, and the wallet may not import the
optional iot module. So, beside :mod:`misto.core.readings`, the core holds this contract:

- a module declares :class:`misto.core.registry.MessageSink` objects
  (``MistoModule.message_sinks``): the device model codes, the channel (the last level of
  ``misto/<tenant>/devices/<device id>/<channel>``) and a handler;
- the iot module lets each active device of a claiming model publish on its own channel
  topic (the broker's ACL), subscribes to the channel, and calls :func:`deliver` with one
  :class:`Uplink` per message, each in a transaction of its own, before acknowledging it;
- a handler raises :class:`Refused` for a message it will never accept (the iot module keeps
  it as a dead letter with the reason); any other error rolls the message back and the broker
  redelivers it, so a handler must make a redelivery a no-op (the wallet: a tap id is applied
  once).

docs/architecture.md, "Device messages other than readings".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from django.utils.module_loading import import_string

from misto.core.registry import modules

CHANNEL = re.compile(r"[a-z][a-z0-9-]{0,31}")


@dataclass(frozen=True)
class Uplink:
    """One message a device published on a claimed channel."""

    device: str  # the device's uid in the IoT registry
    model: str  # its model's code
    channel: str
    payload: bytes
    received_at: datetime


class Refused(Exception):
    """A message the sink will never accept: kept as a dead letter, not redelivered."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


Handler = Callable[[Uplink], None]


@cache
def _routes() -> dict[tuple[str, str], Handler]:
    routes: dict[tuple[str, str], Handler] = {}
    for config in modules():
        for sink in config.message_sinks:
            if not CHANNEL.fullmatch(sink.channel) or sink.channel == "readings":
                raise ValueError(f"{config.label}: a device channel is one lower-case topic "
                                 f"level other than 'readings', not {sink.channel!r}")
            handler: Handler = import_string(sink.handler)
            for model in sink.models:
                if (model, sink.channel) in routes:
                    raise ValueError(f"{config.label}: channel {sink.channel!r} of model "
                                     f"{model!r} is claimed twice")
                routes[(model, sink.channel)] = handler
    return routes


def channels() -> dict[str, frozenset[str]]:
    """Channel -> the device model codes that may publish on it (empty: nothing claimed)."""
    found: dict[str, set[str]] = {}
    for model, channel in _routes():
        found.setdefault(channel, set()).add(model)
    return {channel: frozenset(models) for channel, models in found.items()}


def reset() -> None:
    """Forget the routes (tests that change the installed modules)."""
    _routes.cache_clear()


def deliver(message: Uplink) -> bool:
    """Hand the message to its sink; False when no module claims its model and channel."""
    handler = _routes().get((message.model, message.channel))
    if handler is None:
        return False
    handler(message)
    return True
