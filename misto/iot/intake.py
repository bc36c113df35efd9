"""The HTTP channels' intake (the batch endpoint and the LoRaWAN webhooks): a message is
parsed and stored whole, or becomes a dead letter whose id the refusal carries; the decoded
fields of an uplink that the device's model does not map are recorded on the device.

The MQTT consumer (:mod:`misto.iot.mqtt`) has its own batching path to the same storage.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from misto.iot.errors import Rejected
from misto.iot.ingest import Directory, Row, Uplink, directory, load_json
from misto.iot.models import Device
from misto.iot.storage import DeadLetterDraft, store_readings


def reject(channel: str, source: str, payload: bytes | str, error: Rejected) -> int:
    """Store one dead letter (nothing else) and return its id."""
    draft = DeadLetterDraft(channel, source, error.reason, error.message, payload,
                            error.device_uid)
    row = draft.row(datetime.now(UTC))
    row.save()
    return row.pk


def accept(rows: list[Row]) -> int:
    return store_readings(rows).readings


def ingest_http(channel: str, source: str, body: bytes,
                parse: Callable[[Any, Directory], list[Row] | Uplink]) -> int:
    """Parse one HTTP message and store it whole; the number of readings stored.

    A refused message becomes a dead letter, and the :class:`Rejected` raised on carries
    its id, so the API's answer (400) names the dead letter. A LoRaWAN uplink's decoded
    fields that are no quantity of the model are recorded on the device.
    """
    try:
        parsed = parse(load_json(body), directory())
    except Rejected as error:
        error.dead_letter = reject(channel, source[:300], body, error)
        note_unknown_fields(error.device_uid, error.unknown_fields)
        raise
    if isinstance(parsed, Uplink):
        note_unknown_fields(parsed.device_uid, parsed.unknown)
        return accept(parsed.rows)
    return accept(parsed)


MAX_UNKNOWN_FIELDS = 50


def _sample(value: Any) -> Any:
    if isinstance(value, bool | int | float) and not (isinstance(value, float)
                                                      and not math.isfinite(value)):
        return value
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text[:64]


def note_unknown_fields(uid: str, fields: Mapping[str, Any]) -> None:
    """Remember decoded fields the device sent that its model does not map (the first value
    seen as a sample), until the IT administrator maps them; at most 50 per device. Written
    only when a new name appears, not on every uplink."""
    if not fields or not uid:
        return
    device = Device.objects.filter(uid=uid).only("pk", "unknown_fields").first()
    if device is None:
        return
    recorded = dict(device.unknown_fields or {})
    new = [name for name in fields if str(name)[:64] not in recorded]
    for name in new[:max(0, MAX_UNKNOWN_FIELDS - len(recorded))]:
        recorded[str(name)[:64]] = _sample(fields[name])
    if len(recorded) != len(device.unknown_fields or {}):
        Device.objects.filter(pk=device.pk).update(unknown_fields=recorded)


def unmapped_fields(device: Device) -> dict[str, Any]:
    """The recorded decoder fields the model still does not map to a quantity."""
    quantities = set(device.model.quantities or ())
    field_map = device.model.field_map or {}
    return {name: sample for name, sample in sorted((device.unknown_fields or {}).items())
            if field_map.get(name, name) not in quantities}
