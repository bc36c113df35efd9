"""Payload decoders: raw bytes from a device -> ``{name: number}``.

Built in: ``json`` (a JSON object of numbers) and ``cayenne_lpp`` (Cayenne Low Power
Payload, with the common extended types). A city adds its own decoder from its own module::

    from misto.iot.decoders import DecodeError, register_decoder

    @register_decoder("acme_meter")
    def acme(payload: bytes) -> dict[str, float]:
        ...  # raise DecodeError("why") on a bad payload

The names a decoder returns are mapped to quantity codes by the device model's field map.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable

from misto.iot.errors import DecodeError

Decoder = Callable[[bytes], dict[str, float]]

_DECODERS: dict[str, Decoder] = {}


def register_decoder(name: str) -> Callable[[Decoder], Decoder]:
    def register(func: Decoder) -> Decoder:
        _DECODERS[name] = func
        return func

    return register


def decoder_names() -> list[str]:
    return sorted(_DECODERS)


def get_decoder(name: str) -> Decoder:
    try:
        return _DECODERS[name]
    except KeyError:
        raise DecodeError(f"no decoder named {name!r}") from None


def decode(name: str, payload: bytes) -> dict[str, float]:
    return get_decoder(name)(payload)


@register_decoder("json")
def decode_json(payload: bytes) -> dict[str, float]:
    try:
        data = json.loads(payload)
    except (ValueError, UnicodeDecodeError) as error:
        raise DecodeError(f"not JSON: {error}") from None
    if not isinstance(data, dict):
        raise DecodeError("expected a JSON object of numbers")
    return {str(key): value for key, value in data.items()}


# Cayenne LPP: type -> (name, size in bytes, signed, divisor, axes).
# Types 0-136 are the Cayenne spec; 100 and 116-133 are the widely used extensions
# (ElectronicCats CayenneLPP).
LPP_TYPES: dict[int, tuple[str, int, bool, float, tuple[str, ...]]] = {
    0: ("digital_input", 1, False, 1, ()),
    1: ("digital_output", 1, False, 1, ()),
    2: ("analog_input", 2, True, 100, ()),
    3: ("analog_output", 2, True, 100, ()),
    100: ("generic", 4, False, 1, ()),
    101: ("illuminance", 2, False, 1, ()),
    102: ("presence", 1, False, 1, ()),
    103: ("temperature", 2, True, 10, ()),
    104: ("humidity", 1, False, 2, ()),
    113: ("accelerometer", 6, True, 1000, ("x", "y", "z")),
    115: ("barometer", 2, False, 10, ()),
    116: ("voltage", 2, False, 100, ()),
    117: ("current", 2, False, 1000, ()),
    118: ("frequency", 4, False, 1, ()),
    120: ("percentage", 1, False, 1, ()),
    121: ("altitude", 2, True, 1, ()),
    125: ("concentration", 2, False, 1, ()),
    128: ("power", 2, False, 1, ()),
    130: ("distance", 4, False, 1000, ()),
    131: ("energy", 4, False, 1000, ()),
    132: ("direction", 2, False, 1, ()),
    133: ("unixtime", 4, False, 1, ()),
    134: ("gyrometer", 6, True, 100, ("x", "y", "z")),
    136: ("gps", 9, True, 0, ("lat", "lon", "alt")),
}


def _int(data: bytes, signed: bool) -> int:
    return int.from_bytes(data, "big", signed=signed)


@register_decoder("cayenne_lpp")
def decode_lpp(payload: bytes) -> dict[str, float]:
    """Decode Cayenne LPP: ``channel, type, data...`` repeated; names are ``<type>_<ch>``."""
    values: dict[str, float] = {}
    if not payload:
        raise DecodeError("empty Cayenne LPP payload")
    at = 0
    while at < len(payload):
        if at + 2 > len(payload):
            raise DecodeError(f"truncated Cayenne LPP header at byte {at}")
        channel, kind = payload[at], payload[at + 1]
        at += 2
        if kind not in LPP_TYPES:
            raise DecodeError(f"unknown Cayenne LPP type {kind} at byte {at - 1}")
        name, size, signed, divisor, axes = LPP_TYPES[kind]
        data = payload[at:at + size]
        if len(data) < size:
            raise DecodeError(f"truncated Cayenne LPP {name} on channel {channel}")
        at += size
        key = f"{name}_{channel}"
        if kind == 136:  # GPS: lat, lon 0.0001 deg; altitude 0.01 m; 3 bytes each
            values[f"{key}_lat"] = _int(data[0:3], True) / 10_000
            values[f"{key}_lon"] = _int(data[3:6], True) / 10_000
            values[f"{key}_alt"] = _int(data[6:9], True) / 100
        elif axes:
            width = size // len(axes)
            for index, axis in enumerate(axes):
                part = data[index * width:(index + 1) * width]
                values[f"{key}_{axis}"] = _int(part, signed) / divisor
        else:
            values[key] = _int(data, signed) / divisor
    for key, value in values.items():
        if not math.isfinite(value):
            raise DecodeError(f"{key} is not a finite number")
    return values
