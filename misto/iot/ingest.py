"""From a message on the wire to validated readings, or a dead letter with the reason.

Every channel (MQTT, the HTTP batch endpoint, the LoRaWAN webhooks) ends in the same checks:
the device is registered and active, the time is an ISO 8601 instant with a time zone inside
the accepted window, every value is a finite number of a quantity the device's model
reports, within that quantity's plausible range. A message is taken whole or not at all.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import FloatField, Func

from misto.iot import conf
from misto.iot.decoders import decode
from misto.iot.errors import DecodeError, RejectCode, Rejected
from misto.iot.models import Device, DeviceModel, Quantity

MAX_ITEMS = 1000  # readings objects in one message
MAX_VALUES = 100  # quantities in one reading object
MAX_PAYLOAD = 1_000_000  # bytes

# (device pk, quantity, time, value): one row of the readings table.
Row = tuple[int, str, datetime, float]


@dataclass(frozen=True)
class DeviceInfo:
    pk: int
    uid: str
    name: str
    model_id: int
    model_code: str
    entity_type: str
    decoder: str
    quantities: frozenset[str]
    field_map: Mapping[str, str]
    district: str
    lon: float | None
    lat: float | None
    feature_id: int | None
    active: bool
    token_hash: str
    dev_eui: str | None


@dataclass
class Bounds:
    low: float | None
    high: float | None


@dataclass
class Directory:
    """The registry as the hot path sees it: refreshed every ``ttl`` seconds, misses looked up.

    Safe to share between threads; a device registered after the last refresh is found by
    the lookup on a miss (and a missing id is remembered briefly, so a flood of unknown ids
    does not become a flood of queries).
    """

    ttl: float = 30.0
    by_uid: dict[str, DeviceInfo] = field(default_factory=dict)
    by_eui: dict[str, DeviceInfo] = field(default_factory=dict)
    by_pk: dict[int, DeviceInfo] = field(default_factory=dict)
    bounds: dict[str, Bounds] = field(default_factory=dict)
    loaded_at: float = 0.0
    missing: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def refresh(self, force: bool = False) -> None:
        if not force and time.monotonic() - self.loaded_at < self.ttl:
            return
        devices = {info.uid: info for info in _infos(Device.objects.all())}
        bounds = {q.code: Bounds(q.min_value, q.max_value) for q in Quantity.objects.all()}
        with self.lock:
            self.by_uid = devices
            self.by_eui = {i.dev_eui.upper(): i for i in devices.values() if i.dev_eui}
            self.by_pk = {i.pk: i for i in devices.values()}
            self.bounds = bounds
            self.loaded_at = time.monotonic()
            self.missing.clear()

    def _lookup(self, key: str, **filters: Any) -> DeviceInfo | None:
        seen = self.missing.get(key)
        if seen is not None and time.monotonic() - seen < 5:
            return None
        found = _infos(Device.objects.filter(**filters))
        if not found:
            self.missing[key] = time.monotonic()
            if len(self.missing) > 10_000:
                self.missing.clear()
            return None
        info = found[0]
        with self.lock:
            self.by_uid[info.uid] = info
            self.by_pk[info.pk] = info
            if info.dev_eui:
                self.by_eui[info.dev_eui.upper()] = info
        return info

    def device(self, uid: str) -> DeviceInfo | None:
        self.refresh()
        return self.by_uid.get(uid) or self._lookup(f"uid:{uid}", uid=uid)

    def device_by_eui(self, dev_eui: str) -> DeviceInfo | None:
        self.refresh()
        key = dev_eui.upper()
        return self.by_eui.get(key) or self._lookup(f"eui:{key}", dev_eui__iexact=key)

    def devices_by_pk(self, pks: Iterable[int]) -> dict[int, DeviceInfo]:
        found = {pk: self.by_pk[pk] for pk in pks if pk in self.by_pk}
        missing = [pk for pk in pks if pk not in found]
        if missing:
            for info in _infos(Device.objects.filter(pk__in=missing)):
                found[info.pk] = info
        return found

    def quantity_bounds(self, code: str) -> Bounds | None:
        return self.bounds.get(code)


def _infos(devices: Any) -> list[DeviceInfo]:
    """Rows, not model instances, and each model's JSON decoded once: the registry of a city
    is thousands of devices of a few dozen models, read again every 30 seconds by every
    ingest process while messages wait."""
    models: dict[int, tuple[str, str, str, frozenset[str], dict[str, str]]] = {
        pk: (code, entity_type, decoder, frozenset(quantities or ()), dict(field_map or {}))
        for pk, code, entity_type, decoder, quantities, field_map
        in DeviceModel.objects.values_list("pk", "code", "entity_type", "decoder",
                                           "quantities", "field_map")
    }
    rows = []
    for (pk, uid, name, model_id, district, lon, lat, feature_id, active, token_hash,
         dev_eui) in devices.annotate(
            lon=Func("location", function="ST_X", output_field=FloatField()),
            lat=Func("location", function="ST_Y", output_field=FloatField())).values_list(
            "pk", "uid", "name", "model_id", "district", "lon", "lat", "feature_id", "active",
            "token_hash", "dev_eui"):
        code, entity_type, decoder, quantities, field_map = models[model_id]
        rows.append(DeviceInfo(
            pk=pk, uid=uid, name=name, model_id=model_id, model_code=code,
            entity_type=entity_type, decoder=decoder, quantities=quantities,
            field_map=field_map, district=district, lon=lon, lat=lat, feature_id=feature_id,
            active=active, token_hash=token_hash, dev_eui=dev_eui,
        ))
    return rows


_directory: Directory | None = None


def directory() -> Directory:
    global _directory
    if _directory is None:
        _directory = Directory()
    return _directory


def reset_directory() -> None:
    """Forget the cached registry (tests, and after bulk registry changes)."""
    global _directory
    _directory = None


# --- checks shared by every channel ---------------------------------------------------

@dataclass(frozen=True)
class Window:
    """The instants a reading's time may take: fixed once for a message (the MQTT consumer:
    once for a batch), so that the knobs are not read again for every reading."""

    now: datetime
    earliest: datetime
    latest: datetime

    @classmethod
    def at(cls, now: datetime | None = None) -> Window:
        now = now or datetime.now(UTC)
        return cls(now, now - timedelta(days=conf.max_past_days()),
                   now + timedelta(seconds=conf.max_future_seconds()))


def parse_time(value: Any, window: Window) -> datetime:
    if not isinstance(value, str) or len(value) > 64:
        raise Rejected(RejectCode.BAD_TIMESTAMP, "ts must be an ISO 8601 text with a time zone")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise Rejected(RejectCode.BAD_TIMESTAMP, f"not an ISO 8601 time: {value[:64]!r}") from None
    if moment.tzinfo is None:
        raise Rejected(RejectCode.BAD_TIMESTAMP, f"the time has no time zone: {value[:64]!r}")
    if moment > window.latest:
        raise Rejected(RejectCode.BAD_TIMESTAMP, f"the time lies in the future: {value[:64]!r}")
    if moment < window.earliest:
        raise Rejected(RejectCode.BAD_TIMESTAMP, f"the time is too old: {value[:64]!r}")
    return moment if moment.utcoffset() == ZERO else moment.astimezone(UTC)


ZERO = timedelta(0)
NUMBER = (int, float)


def check_number(name: str, value: Any, bounds: Bounds | None) -> float:
    if isinstance(value, bool) or not isinstance(value, NUMBER):
        raise Rejected(RejectCode.BAD_VALUE, f"{name} must be a number, not {type(value).__name__}")
    try:
        number = float(value)
    except OverflowError:
        raise Rejected(RejectCode.BAD_VALUE, f"{name} is too large") from None
    if not math.isfinite(number):
        raise Rejected(RejectCode.BAD_VALUE, f"{name} is not a finite number")
    if bounds is not None:
        if bounds.low is not None and number < bounds.low:
            raise Rejected(RejectCode.OUT_OF_RANGE, f"{name}={number:g} is below {bounds.low:g}")
        if bounds.high is not None and number > bounds.high:
            raise Rejected(RejectCode.OUT_OF_RANGE, f"{name}={number:g} is above {bounds.high:g}")
    elif abs(number) > 1e12:
        raise Rejected(RejectCode.OUT_OF_RANGE, f"{name}={number:g} is implausibly large")
    return number


def rows_for(device: DeviceInfo, ts: datetime, values: Mapping[str, Any],
             registry: Directory) -> list[Row]:
    """Map decoder names to the model's quantities and check every value."""
    if not isinstance(values, Mapping) or not values:
        raise Rejected(RejectCode.BAD_VALUES, "values must be a non-empty object", device.uid)
    if len(values) > MAX_VALUES:
        raise Rejected(RejectCode.BAD_VALUES, f"more than {MAX_VALUES} values", device.uid)
    rows: list[Row] = []
    pk, field_map, quantities, bounds = device.pk, device.field_map, device.quantities, \
        registry.bounds
    for name, value in values.items():
        quantity = field_map.get(name, name)
        if quantity not in quantities:
            raise Rejected(RejectCode.UNKNOWN_QUANTITY,
                           f"{str(name)[:64]!r} is not a quantity of model {device.model_code}",
                           device.uid)
        try:
            number = check_number(quantity, value, bounds.get(quantity))
        except Rejected as error:
            error.device_uid = device.uid
            raise
        rows.append((pk, quantity, ts, number))
    return rows


def active_device(uid: Any, registry: Directory) -> DeviceInfo:
    if not isinstance(uid, str) or not uid or len(uid) > 64:
        raise Rejected(RejectCode.UNKNOWN_DEVICE, "the device id is missing or too long")
    device = registry.device(uid)
    if device is None:
        raise Rejected(RejectCode.UNKNOWN_DEVICE, f"no device {uid!r} is registered", uid)
    if not device.active:
        raise Rejected(RejectCode.INACTIVE_DEVICE, f"device {uid!r} is switched off", uid)
    return device


def b64decode(value: Any, what: str) -> bytes:
    if not isinstance(value, str):
        raise Rejected(RejectCode.BAD_BASE64, f"{what} must be base64 text")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as error:
        raise Rejected(RejectCode.BAD_BASE64, f"{what} is not valid base64: {error}") from None


def decoded(device: DeviceInfo, raw: bytes) -> dict[str, Any]:
    try:
        return decode(device.decoder, raw)
    except DecodeError as error:
        raise Rejected(RejectCode.DECODE_FAILED, f"{device.decoder}: {error}",
                       device.uid) from None


def load_json(payload: bytes) -> Any:
    if len(payload) > MAX_PAYLOAD:
        raise Rejected(RejectCode.TOO_LARGE, f"the payload has more than {MAX_PAYLOAD} bytes")
    try:
        return json.loads(payload)
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise Rejected(RejectCode.BAD_JSON, f"not valid JSON: {str(error)[:200]}") from None


READING_KEYS = frozenset({"ts", "values", "payload", "device"})


def reading_object(device: DeviceInfo, item: Any, registry: Directory,
                   window: Window) -> list[Row]:
    """One ``{"ts": ..., "values": {...}}`` (or ``"payload": base64`` for binary models)."""
    if not isinstance(item, dict):
        raise Rejected(RejectCode.BAD_FORMAT, "each reading must be a JSON object", device.uid)
    if not READING_KEYS.issuperset(item):
        unknown = set(item) - READING_KEYS
        raise Rejected(RejectCode.BAD_FORMAT,
                       f"unknown keys: {', '.join(sorted(map(str, unknown)))[:200]}",
                       device.uid)
    try:
        ts = parse_time(item.get("ts"), window)
    except Rejected as error:
        error.device_uid = device.uid
        raise
    if "values" in item and "payload" in item:
        raise Rejected(RejectCode.BAD_FORMAT, "give values or payload, not both", device.uid)
    if "payload" in item:
        values: Any = decoded(device, b64decode(item["payload"], "payload"))
    elif "values" in item:
        values = item["values"]
    else:
        raise Rejected(RejectCode.BAD_FORMAT, "a reading needs values (or a base64 payload)",
                       device.uid)
    return rows_for(device, ts, values, registry)


# --- channels --------------------------------------------------------------------------

def device_uid_from_topic(topic: str) -> str:
    """``misto/<tenant>/devices/<device_id>/readings`` -> device id (or Rejected)."""
    parts = topic.split("/")
    if len(parts) != 5 or parts[0] != "misto" or parts[2] != "devices" or parts[4] != "readings":
        raise Rejected(RejectCode.BAD_TOPIC, f"unexpected topic {topic[:200]!r}")
    return parts[3]


def uplink_device(topic: str, payload: bytes, registry: Directory,
                  claimed: Mapping[str, frozenset[str]]) -> tuple[DeviceInfo, str]:
    """``misto/<tenant>/devices/<id>/<channel>`` of a channel a module claims
    (:mod:`misto.core.uplinks`): the active device and the channel, if its model may use it."""
    parts = topic.split("/")
    if len(parts) != 5 or parts[0] != "misto" or parts[2] != "devices" \
            or parts[4] not in claimed:
        raise Rejected(RejectCode.BAD_TOPIC, f"unexpected topic {topic[:200]!r}")
    device = active_device(parts[3], registry)
    if device.model_code not in claimed[parts[4]]:
        raise Rejected(RejectCode.FORBIDDEN_DEVICE,
                       f"model {device.model_code} does not publish on {parts[4]!r}", device.uid)
    if len(payload) > MAX_PAYLOAD:
        raise Rejected(RejectCode.TOO_LARGE, f"the payload has more than {MAX_PAYLOAD} bytes",
                       device.uid)
    return device, parts[4]


def parse_mqtt(topic: str, payload: bytes, registry: Directory,
               window: Window | None = None) -> list[Row]:
    """A message on ``misto/<tenant>/devices/<id>/readings``: one reading object or a list."""
    window = window or Window.at()
    device = active_device(device_uid_from_topic(topic), registry)
    try:
        data = load_json(payload)
    except Rejected as error:
        error.device_uid = device.uid
        raise
    items = data if isinstance(data, list) else [data]
    if not items or len(items) > MAX_ITEMS:
        raise Rejected(RejectCode.BAD_FORMAT, f"between 1 and {MAX_ITEMS} readings per message",
                       device.uid)
    if len(items) == 1:
        return reading_object(device, items[0], registry, window)
    rows: list[Row] = []
    for item in items:
        rows.extend(reading_object(device, item, registry, window))
    return rows


def parse_http_batch(data: Any, registry: Directory, *, token_device: DeviceInfo | None,
                     now: datetime | None = None) -> list[Row]:
    """``{"readings": [{"device": id, "ts": ..., "values": {...}}, ...]}``.

    A device token may only send its own readings; an integration secret any device's.
    """
    window = Window.at(now)
    if not isinstance(data, dict) or set(data) != {"readings"}:
        raise Rejected(RejectCode.BAD_FORMAT, 'the body must be {"readings": [...]}')
    items = data["readings"]
    if not isinstance(items, list) or not items or len(items) > MAX_ITEMS:
        raise Rejected(RejectCode.BAD_FORMAT,
                       f"readings must be a list of 1 to {MAX_ITEMS} objects")
    rows: list[Row] = []
    for index, item in enumerate(items):
        try:
            if not isinstance(item, dict):
                raise Rejected(RejectCode.BAD_FORMAT, "each reading must be a JSON object")
            uid = item.get("device", token_device.uid if token_device else None)
            device = active_device(uid, registry)
            if token_device is not None and device.pk != token_device.pk:
                raise Rejected(RejectCode.FORBIDDEN_DEVICE,
                               "a device token may only send its own data", device.uid)
            rows.extend(reading_object(device, item, registry, window))
        except Rejected as error:
            error.message = f"readings[{index}]: {error.message}"
            raise
    return rows


@dataclass(frozen=True)
class Uplink:
    """A LoRaWAN uplink as read: the readings of the model's quantities, and the decoded
    fields that are no quantity of the model (name -> value), to record on the device."""

    device_uid: str
    rows: list[Row]
    unknown: dict[str, Any]


def flatten(values: Mapping[str, Any], prefix: str = "", depth: int = 0) -> dict[str, Any]:
    """A codec's nested object as dotted names, so that a field map can name any member:
    ChirpStack's Cayenne LPP codec sends ``{"temperatureSensor": {"1": 21.5}}``, which is
    ``temperatureSensor.1`` here."""
    flat: dict[str, Any] = {}
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value and depth < 3:
            flat.update(flatten(value, f"{name}.", depth + 1))
        else:
            flat[name] = value
    return flat


def _lorawan_uplink(device: DeviceInfo, ts: datetime, obj: Any, raw: bytes | None,
                    registry: Directory) -> Uplink:
    """Network servers send their codec's whole decoded object, which often holds more than
    the model's quantities (``analogInput``, ``analog_in_1``, a codec's own counters): the
    known quantities are stored and the rest recorded; only an uplink with no known quantity
    is refused. (Misto's own MQTT and HTTP formats stay strict: a device sending an unknown
    quantity there is misconfigured.)"""
    if device.decoder == "json" and isinstance(obj, dict) and obj:
        values: Mapping[str, Any] = obj
    elif raw is None:
        raise Rejected(RejectCode.BAD_FORMAT, "the uplink carries no payload", device.uid)
    else:
        values = decoded(device, raw)
    fields = flatten(values)
    if len(fields) > MAX_VALUES:
        raise Rejected(RejectCode.BAD_VALUES, f"more than {MAX_VALUES} values", device.uid)
    known = {name: value for name, value in fields.items()
             if device.field_map.get(name, name) in device.quantities}
    unknown = {name: value for name, value in fields.items() if name not in known}
    if not known:
        names = ", ".join(repr(str(name)[:64]) for name in list(unknown)[:10])
        error = Rejected(RejectCode.UNKNOWN_QUANTITY,
                         f"none of {names or 'the fields'} is a quantity of model "
                         f"{device.model_code}", device.uid)
        error.unknown_fields = unknown
        raise error
    return Uplink(device.uid, rows_for(device, ts, known, registry), unknown)


def _eui_device(eui: Any, registry: Directory) -> DeviceInfo:
    if not isinstance(eui, str) or len(eui) != 16:
        raise Rejected(RejectCode.UNKNOWN_DEVICE, "the DevEUI is missing or not 16 hex digits")
    device = registry.device_by_eui(eui)
    if device is None:
        raise Rejected(RejectCode.UNKNOWN_DEVICE, f"no device with DevEUI {eui!r}", eui)
    if not device.active:
        raise Rejected(RejectCode.INACTIVE_DEVICE, f"device {device.uid!r} is switched off",
                       device.uid)
    return device


def parse_chirpstack_up(data: Any, registry: Directory, now: datetime | None = None) -> Uplink:
    """ChirpStack v4 ``up`` event (HTTP integration, JSON): deviceInfo.devEui, data, object."""
    window = Window.at(now)
    if not isinstance(data, dict) or not isinstance(data.get("deviceInfo"), dict):
        raise Rejected(RejectCode.BAD_FORMAT, "not a ChirpStack up event (no deviceInfo)")
    device = _eui_device(data["deviceInfo"].get("devEui"), registry)
    try:
        ts = parse_time(data["time"], window) if data.get("time") else window.now
        raw = b64decode(data["data"], "data") if data.get("data") is not None else None
    except Rejected as error:
        error.device_uid = device.uid
        raise
    return _lorawan_uplink(device, ts, data.get("object"), raw, registry)


def parse_ttn_uplink(data: Any, registry: Directory, now: datetime | None = None) -> Uplink:
    """The Things Stack v3 uplink: end_device_ids.dev_eui, uplink_message.frm_payload."""
    window = Window.at(now)
    if not isinstance(data, dict) or not isinstance(data.get("end_device_ids"), dict):
        raise Rejected(RejectCode.BAD_FORMAT, "not a The Things Stack message (no end_device_ids)")
    device = _eui_device(data["end_device_ids"].get("dev_eui"), registry)
    uplink = data.get("uplink_message")
    if not isinstance(uplink, dict):
        raise Rejected(RejectCode.BAD_FORMAT, "no uplink_message", device.uid)
    try:
        stamp = uplink.get("received_at") or data.get("received_at")
        ts = parse_time(stamp, window) if stamp else window.now
        payload = uplink.get("frm_payload")
        raw = b64decode(payload, "frm_payload") if payload is not None else None
    except Rejected as error:
        error.device_uid = device.uid
        raise
    return _lorawan_uplink(device, ts, uplink.get("decoded_payload"), raw, registry)
