"""The telemetry hot path: :func:`store_readings` writes a batch in one transaction.

PostgreSQL: the rows go by ``COPY`` into a temporary staging table, then one
``INSERT ... SELECT ... ON CONFLICT DO NOTHING`` moves them into the month-partitioned
readings table (a redelivered reading is a no-op), one upsert refreshes the latest state,
and the rules run over the batch. SQLite: ``executemany`` of ``INSERT OR IGNORE``. The ORM is
not on this path; everything else reads the tables through it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import Q

from misto.core import readings, uplinks
from misto.core.bus import publish
from misto.iot.events import DeviceOffline, DeviceSeen
from misto.iot.ingest import DeviceInfo, Directory, Row, directory
from misto.iot.models import DeadLetter, Device
from misto.iot.rules import bound_cursor, evaluate

logger = logging.getLogger(__name__)

MAX_PAYLOAD_KEPT = 10_000  # characters of a dead letter's payload kept
LAST_SEEN_RESOLUTION = timedelta(seconds=5)
COPY_TYPES = ["int8", "varchar", "timestamptz", "float8"]

@dataclass(frozen=True)
class DeadLetterDraft:
    channel: str
    source: str
    reason: str
    detail: str
    payload: bytes | str
    device_uid: str = ""

    def row(self, now: datetime) -> DeadLetter:
        payload = self.payload
        if isinstance(payload, bytes):
            payload = payload[:MAX_PAYLOAD_KEPT * 4].decode("utf-8", errors="replace")
        return DeadLetter(
            received_at=now, channel=_clean(self.channel, 16), source=_clean(self.source, 300),
            device_uid=_clean(self.device_uid, 100), reason=_clean(self.reason, 40),
            detail=_clean(self.detail, 1000), payload=_clean(payload, MAX_PAYLOAD_KEPT),
        )


def _clean(text: str, length: int) -> str:
    """Text as stored: cut to length, NUL (which PostgreSQL refuses) made visible."""
    return text[:length].replace("\x00", "\ufffd")


@dataclass(frozen=True)
class StoreResult:
    readings: int
    devices: int
    events: int
    dead_letters: int


def store_readings(batch: Sequence[Row], dead_letters: Sequence[DeadLetterDraft] = (), *,
                   registry: Directory | None = None) -> StoreResult:
    """Store a batch of readings (and dead letters) atomically; apply the rules.

    Idempotent: a row whose (device, quantity, ts) is already stored is skipped, and the
    rules ignore readings not newer than what they have seen, so storing the same batch
    twice changes nothing the second time.
    """
    registry = registry or directory()
    now = datetime.now(UTC)
    events = 0
    device_pks = sorted({row[0] for row in batch})
    with transaction.atomic():
        if dead_letters:
            DeadLetter.objects.bulk_create([draft.row(now) for draft in dead_letters])
        if batch:
            if connection.vendor == "postgresql":
                _write_postgres(batch)
            else:
                _write_sqlite(batch)
            devices = registry.devices_by_pk(device_pks)
            events += _touch_devices(device_pks, now, registry)
            events += evaluate(batch, devices)
            _hand_over(batch, devices)
    return StoreResult(len(batch), len(device_pks), events, len(dead_letters))


def store_uplink(device: DeviceInfo, channel: str, payload: bytes, topic: str, *,
                 registry: Directory | None = None) -> str:
    """Hand one message of a claimed channel (a validator's taps) to its module
    (:mod:`misto.core.uplinks`) in a transaction of its own that also marks the device seen.
    A message the module refuses becomes a dead letter; returns "delivered" or the reason.
    Any other error propagates: nothing is committed and the caller retries."""
    registry = registry or directory()
    now = datetime.now(UTC)
    message = uplinks.Uplink(device=device.uid, model=device.model_code, channel=channel,
                             payload=payload, received_at=now)
    try:
        with transaction.atomic():
            uplinks.deliver(message)
            _touch_devices([device.pk], now, registry)
    except uplinks.Refused as refused:
        store_readings([], [DeadLetterDraft("mqtt", topic, refused.reason[:40], refused.detail,
                                            payload, device.uid)], registry=registry)
        return refused.reason
    return "delivered"


def _hand_over(batch: Sequence[Row], devices: dict[int, DeviceInfo]) -> None:
    """The samples of claimed device models to their modules (:mod:`misto.core.readings`)."""
    claimed = readings.claimed_models()
    if not claimed:
        return
    grouped: dict[tuple[int, datetime], dict[str, float]] = defaultdict(dict)
    for device_pk, quantity, ts, value in batch:
        device = devices.get(device_pk)
        if device is not None and device.model_code in claimed:
            grouped[(device_pk, ts)][quantity] = value
    readings.deliver(
        readings.Sample(devices[pk].uid, devices[pk].model_code, ts, values)
        for (pk, ts), values in grouped.items())


def _ensure_partitions(batch: Sequence[Row]) -> None:
    """Create the monthly partitions the batch needs (a no-op lookup when they exist)."""
    first = min(row[2] for row in batch)
    last = max(row[2] for row in batch)
    with connection.cursor() as cursor:
        cursor.execute("SELECT iot_ensure_partitions(%s, %s)", [first, last])


def _write_postgres(batch: Sequence[Row]) -> None:
    """COPY straight into the readings table; on a duplicate key, the staging path.

    The common case (nothing seen before) is one ``COPY`` into the partitioned table, as
    fast as PostgreSQL loads rows. A redelivered message makes that COPY fail on the
    primary key: the savepoint rolls it back and the batch goes through a temporary staging
    table and ``INSERT ... ON CONFLICT DO NOTHING`` instead, which skips what is stored.
    """
    # Imported here, as in rules.bound_cursor: only PostgreSQL comes this way.
    import psycopg

    _ensure_partitions(batch)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        try:
            with transaction.atomic(), raw.copy(
                    "COPY iot_reading (device_id, quantity, ts, value) "
                    "FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types(COPY_TYPES)
                for row in batch:
                    copy.write_row(row)
        except (IntegrityError, psycopg.errors.UniqueViolation):
            cursor.execute(
                "CREATE TEMP TABLE IF NOT EXISTS iot_staging (device_id bigint, "
                "quantity varchar(64), ts timestamptz, value float8) ON COMMIT DELETE ROWS"
            )
            with raw.copy("COPY iot_staging (device_id, quantity, ts, value) "
                          "FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types(COPY_TYPES)
                for row in batch:
                    copy.write_row(row)
            cursor.execute(
                "INSERT INTO iot_reading (device_id, quantity, ts, value) "
                "SELECT device_id, quantity, ts, value FROM iot_staging "
                "ON CONFLICT DO NOTHING"
            )
    latest = _latest(batch)
    with bound_cursor() as cursor:
        cursor.execute(
            "INSERT INTO iot_latest (device_id, quantity, ts, value) "
            "SELECT * FROM unnest(%b::bigint[], %b::varchar[], %b::timestamptz[], "
            "%b::float8[]) ORDER BY 1, 2 "
            "ON CONFLICT (device_id, quantity) DO UPDATE SET ts = EXCLUDED.ts, "
            "value = EXCLUDED.value WHERE iot_latest.ts < EXCLUDED.ts",
            [[k[0] for k in latest], [k[1] for k in latest],
             [v[0] for v in latest.values()], [v[1] for v in latest.values()]],
        )


def _latest(batch: Sequence[Row]) -> dict[tuple[int, str], tuple[datetime, float]]:
    latest: dict[tuple[int, str], tuple[datetime, float]] = {}
    for device_pk, quantity, ts, value in batch:
        key = (device_pk, quantity)
        seen = latest.get(key)
        if seen is None or ts > seen[0]:
            latest[key] = (ts, value)
    return latest


def _write_sqlite(batch: Sequence[Row]) -> None:
    adapt = connection.ops.adapt_datetimefield_value
    latest = _latest(batch)
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT OR IGNORE INTO iot_reading (device_id, quantity, ts, value) "
            "VALUES (%s, %s, %s, %s)",
            [(d, q, adapt(ts), v) for d, q, ts, v in batch],
        )
        cursor.executemany(
            "INSERT INTO iot_latest (device_id, quantity, ts, value) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (device_id, quantity) DO UPDATE SET ts = excluded.ts, "
            "value = excluded.value WHERE iot_latest.ts < excluded.ts",
            [(d, q, adapt(ts), v) for (d, q), (ts, v) in latest.items()],
        )


def _touch_devices(device_pks: list[int], now: datetime, registry: Directory) -> int:
    """Mark the devices seen now; a device reported offline is announced back online, and a
    device heard for the first time is announced (``DeviceSeen``), so that every page that
    counts devices online agrees with the device's own page from its first reading on.
    Two statements in the usual case (nobody new, nobody back)."""
    notable = list(Device.objects.filter(pk__in=device_pks).filter(
        Q(offline=True) | Q(last_seen=None)).order_by("pk"))
    back = [device for device in notable if device.offline]
    for device in notable:
        if device.last_seen is None:
            publish(DeviceSeen(
                device_id=device.uid, device_name=device.name,
                district=device.district or None,
                lon=device.location.x if device.location else None,
                lat=device.location.y if device.location else None,
                first_seen=now.isoformat()))
    for device in back:
        Device.objects.filter(pk=device.pk).update(offline=False, last_seen=now)
        publish(DeviceOffline(
            device_id=device.uid, device_name=device.name, district=device.district or None,
            lon=device.location.x if device.location else None,
            lat=device.location.y if device.location else None,
            last_seen=now.isoformat(), back_online=True,
        ))
    Device.objects.filter(pk__in=device_pks).filter(
        Q(last_seen__lt=now - LAST_SEEN_RESOLUTION) | Q(last_seen=None)
    ).update(last_seen=now)
    return len(back)
