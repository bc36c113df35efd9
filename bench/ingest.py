"""Ingest benchmark: readings per second from MQTT publish to committed, against raw COPY.

    .venv/bin/python bench/ingest.py [--size N] [--per-message M] [--consumers C] [--devices D]

Uses DATABASE_URL (default: PostgreSQL ``misto_bench_iot`` on 127.0.0.1, created and
migrated if missing; THE IOT TABLES OF THAT DATABASE ARE EMPTIED) and the Mosquitto broker in
MQTT_URL (default mqtt://127.0.0.1:1883), on a tenant and group of its own.

1. End to end: C real ``misto worker --only runners`` processes (one shared MQTT 5
   subscription, QoS 1, acknowledged after commit) consume N readings that one publisher
   sends as fast as the broker takes them: D air-quality stations, each message M readings
   (default 5: one ``{"ts", "values"}`` object of 5 quantities, what a station sends; 50 is a
   gateway batch of 10 timestamps x 5 quantities). Timed from the first publish to the
   moment the last reading is committed, with the latest state upserted and the rules (a
   PM2.5 threshold with hysteresis on every station) applied in the same transactions.
   Prints messages/s and readings/s.
2. Raw limit: the same N rows loaded by one ``COPY`` into the same (emptied) readings table.

Last line: ``ratio=<end-to-end readings/s / raw COPY readings/s>``.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import socket
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DATABASE_URL", "postgis://postgres@127.0.0.1:5432/misto_bench_iot")
os.environ.setdefault("MQTT_URL", "mqtt://127.0.0.1:1883")

from common import setup  # noqa: E402

QUANTITIES = ("pm25", "pm10", "no2", "temperature", "relativeHumidity")


def empty_tables() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE iot_reading, iot_latest, iot_rulestate, iot_deadletter")
        else:
            for table in ("iot_reading", "iot_latest", "iot_rulestate", "iot_deadletter"):
                cursor.execute(f"DELETE FROM {table}")


def prepare_devices(count: int) -> list[tuple[int, str]]:
    from misto.iot.demo import ensure_catalogue
    from misto.iot.models import Device

    models = ensure_catalogue()
    existing = set(Device.objects.filter(uid__startswith="bench-").values_list("uid",
                                                                             flat=True))
    Device.objects.bulk_create([
        Device(uid=f"bench-{i:05d}", name=f"Bench station {i}", model=models["aq-station"])
        for i in range(count) if f"bench-{i:05d}" not in existing
    ])
    return list(Device.objects.filter(uid__startswith="bench-").order_by("uid")
                .values_list("pk", "uid")[:count])


def messages(devices: list[tuple[int, str]], size: int, base: datetime, per_message: int
             ) -> tuple[list[tuple[str, bytes]], list[tuple[int, str, datetime, float]]]:
    """Messages of ``per_message`` readings (a multiple of 5) for ``size`` readings, and the
    same rows for the COPY baseline."""
    stamps = per_message // len(QUANTITIES)
    out: list[tuple[str, bytes]] = []
    rows: list[tuple[int, str, datetime, float]] = []
    step = 0
    while len(rows) < size:
        for pk, uid in devices:
            if len(rows) + per_message > size:
                break
            body = []
            for k in range(stamps):
                ts = base + timedelta(seconds=step * stamps + k)
                # PM2.5 crosses the rule's threshold now and then: the rules have work to do.
                values = {"pm25": 60.0 if k == 0 and (step * 7 + pk) % 250 == 0 else 20.0 + k,
                          "pm10": 30.0 + k, "no2": 18.5, "temperature": 4.5,
                          "relativeHumidity": 71.0}
                body.append({"ts": ts.isoformat(), "values": values})
                rows.extend((pk, q, ts.astimezone(UTC), float(v)) for q, v in values.items())
            out.append((uid, json.dumps(body[0] if stamps == 1 else body).encode()))
        else:
            step += 1
            continue
        break
    return out, rows


def count_readings() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM iot_reading")
        return int(cursor.fetchone()[0])


def last_stored(device_pk: int, quantity: str, ts: datetime) -> bool:
    from django.db import connection

    stamp: Any = ts if connection.vendor == "postgresql" \
        else connection.ops.adapt_datetimefield_value(ts)  # SQLite: stored as Django writes it
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM iot_reading WHERE device_id = %s AND quantity = %s "
                       "AND ts = %s", [device_pk, quantity, stamp])
        return cursor.fetchone() is not None


def spawn_consumers(n: int, tenant: str) -> list[subprocess.Popen[bytes]]:
    env = dict(os.environ, MISTO_IOT_TENANT=tenant, MISTO_MQTT_GROUP=tenant,
               MISTO_MQTT_SESSION_EXPIRY="600", DJANGO_SETTINGS_MODULE="misto.settings")
    procs = []
    log_dir = ROOT / "var" / "bench"
    log_dir.mkdir(parents=True, exist_ok=True)
    log = (log_dir / "ingest-consumers.log").open("ab")
    for i in range(n):
        env_i = dict(env, MISTO_MQTT_CLIENT_ID=f"misto-bench-{tenant}-{i}")
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "misto.cli", "worker", "--only", "runners"], cwd=ROOT,
            env=env_i, stdout=log, stderr=subprocess.STDOUT))
    return procs


class Publisher:
    """Devices publishing at QoS 1, as a load generator should: lean, so that the machine's
    time goes to what is measured. Raw MQTT 5 over ``connections`` sockets (each device
    connection of a real city is its own), PUBLISH packets written in bulk up to the broker's
    receive maximum per connection (Mosquitto: 20 unacknowledged), PUBACKs read in bulk.
    paho-mqtt's publisher spent about 50 microseconds of CPU per message, as much as the
    consumer's whole path."""

    def __init__(self, settings: Any, connections: int) -> None:
        self.sockets = []
        self.window = 65535
        for index in range(connections):
            sock = socket.create_connection((settings.host, settings.port), timeout=10)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            client_id = f"misto-bench-pub-{uuid.uuid4().hex[:8]}-{index}".encode()
            flags, payload = 0x02, len(client_id).to_bytes(2, "big") + client_id
            if settings.username:
                flags |= 0x80 | (0x40 if settings.password else 0)
                for text in (settings.username, settings.password or ""):
                    if text:
                        payload += len(text.encode()).to_bytes(2, "big") + text.encode()
            # Keep-alive 0: a connection may idle while the consumers start.
            sock.sendall(_packet(0x10, b"\x00\x04MQTT\x05" + bytes([flags]) + b"\x00\x00\x00"
                                 + payload))
            connack = sock.recv(1024)
            if len(connack) < 4 or connack[0] != 0x20 or connack[3] >= 0x80:
                raise SystemExit(f"the broker refused the publisher: {connack!r}")
            at = connack.find(b"\x21", 5)  # Receive Maximum, when the broker sets one
            if at > 0:
                self.window = min(self.window, int.from_bytes(connack[at + 1:at + 3], "big"))
            sock.setblocking(False)
            self.sockets.append(sock)
        self.inflight = [0] * connections
        self.pending = [b""] * connections

    def publish(self, messages: list[tuple[str, bytes]], ready: Any = None) -> None:
        """Send every message at QoS 1 and return when the broker has acknowledged them all;
        a device's messages all go through one connection, in order. ``ready(sent)`` may hold
        the stream back (False: wait)."""
        queues: list[list[tuple[str, bytes]]] = [[] for _ in self.sockets]
        for topic, body in messages:
            queues[hash(topic) % len(queues)].append((topic, body))
        taken = [0] * len(queues)
        sent = packet_id = 0
        while sent < len(messages) or any(self.inflight):
            if sent < len(messages) and (ready is None or ready(sent)):
                for index, sock in enumerate(self.sockets):
                    queue = queues[index]
                    room = min(self.window - self.inflight[index], len(queue) - taken[index])
                    if room <= 0:
                        continue
                    chunk = []
                    for topic, body in queue[taken[index]:taken[index] + room]:
                        packet_id = packet_id % 65535 + 1
                        raw_topic = topic.encode()
                        chunk.append(_packet(0x32, len(raw_topic).to_bytes(2, "big") + raw_topic
                                             + packet_id.to_bytes(2, "big") + b"\x00" + body))
                    sock.setblocking(True)
                    sock.sendall(b"".join(chunk))
                    sock.setblocking(False)
                    self.inflight[index] += room
                    taken[index] += room
                    sent += room
            readable, _, _ = select.select(self.sockets, [], [], 0.05)
            for sock in readable:
                index = self.sockets.index(sock)
                received = sock.recv(1 << 16)
                if not received:
                    raise SystemExit("the broker closed a publisher connection")
                data = self.pending[index] + received
                pos = 0
                while len(data) - pos >= 2 and len(data) - pos >= 2 + data[pos + 1]:
                    if data[pos] >> 4 == 4:  # PUBACK
                        self.inflight[index] -= 1
                    pos += 2 + data[pos + 1]
                self.pending[index] = data[pos:]

    def close(self) -> None:
        for sock in self.sockets:
            sock.close()


def _packet(header: int, body: bytes) -> bytes:
    size, length = len(body), bytearray()
    while True:
        byte, size = size & 0x7F, size >> 7
        length.append(byte | 0x80 if size else byte)
        if not size:
            return bytes([header]) + bytes(length) + body


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def end_to_end(batches: list[tuple[str, bytes]], total: int, consumers: int,
               connections: int, last_row: tuple[int, str, datetime, float]
               ) -> tuple[float, float, float, float]:
    """Seconds end to end, seconds until the last publish was acknowledged by the broker,
    and CPU seconds of the consumers and of the publisher."""
    from misto.iot.conf import mqtt_settings

    tenant = f"bench{uuid.uuid4().hex[:8]}"
    procs = spawn_consumers(consumers, tenant)
    settings = mqtt_settings()
    assert settings is not None
    publisher = Publisher(settings, connections)
    try:
        # Wait until every consumer has subscribed: probe until a probe reading lands.
        probe_uid, probe_body = batches[0]
        empty_tables()
        deadline = time.monotonic() + 60
        while count_readings() == 0:
            if time.monotonic() > deadline:
                raise SystemExit("the consumers did not start")
            publisher.publish([(f"misto/{tenant}/devices/{probe_uid}/readings", probe_body)])
            time.sleep(0.5)
        time.sleep(2.0)  # all consumers connected and subscribed
        empty_tables()
        # Messages published and not yet committed. The broker sends a consumer up to its
        # receive maximum (5,000) unacknowledged and queues 1,000 more per client (Mosquitto's
        # default), then drops; the shared subscription deals messages in turn, so a consumer
        # that lags while the others commit holds up to the whole window: 5,000, which keeps
        # two batches (2,000 messages each) waiting while one commits.
        window = 5000
        per_message = total / len(batches)
        topics = [(f"misto/{tenant}/devices/{uid}/readings", body) for uid, body in batches]
        checked = {"at": 0.0, "done": 0.0}

        def ready(sent: int) -> bool:
            if sent - checked["done"] <= window:
                return True
            # count(*) of the readings is not free (15 ms at 150,000 rows): a few a second.
            if time.monotonic() - checked["at"] >= 0.1:
                checked["at"], checked["done"] = time.monotonic(), count_readings() / per_message
            return sent - checked["done"] <= window

        consumers_cpu = sum(cpu_seconds(proc.pid) for proc in procs)
        publisher_cpu = time.process_time()
        started = time.perf_counter()
        publisher.publish(topics, ready)
        published = time.perf_counter() - started
        publisher_cpu = time.process_time() - publisher_cpu
        # Until the last message is in, a look-up of its readings (an index probe) instead of
        # a count(*) every few milliseconds, which would take a core from the consumers.
        device_pk, quantity, ts, _value = last_row
        deadline = time.monotonic() + 60
        while not last_stored(device_pk, quantity, ts) and time.monotonic() < deadline:
            time.sleep(0.005)
        last, last_change = -1, time.monotonic()
        while True:
            done = count_readings()
            if done >= total:
                break
            if done != last:
                last, last_change = done, time.monotonic()
            elif time.monotonic() - last_change > 30:
                raise SystemExit(f"stalled at {done} of {total} readings")
            time.sleep(0.005)
        seconds = time.perf_counter() - started
        consumers_cpu = sum(cpu_seconds(proc.pid) for proc in procs) - consumers_cpu
        return seconds, published, consumers_cpu, publisher_cpu
    finally:
        publisher.close()
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(30)


def raw_copy(rows: list[tuple[int, str, datetime, float]]) -> float:
    from django.db import connection, transaction

    empty_tables()
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(
                    "COPY iot_reading (device_id, quantity, ts, value) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            adapt = connection.ops.adapt_datetimefield_value
            cursor.executemany("INSERT INTO iot_reading VALUES (%s, %s, %s, %s)",
                               [(d, q, adapt(t), v) for d, q, t, v in rows])
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=300_000, help="readings (default 300000)")
    parser.add_argument("--per-message", type=int, default=5,
                        help="readings per message, a multiple of 5 (default 5)")
    parser.add_argument("--consumers", type=int, default=2)
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--connections", type=int, default=8,
                        help="publisher connections to the broker (default 8)")
    args = parser.parse_args()
    if args.per_message < len(QUANTITIES) or args.per_message % len(QUANTITIES):
        parser.error(f"--per-message must be a multiple of {len(QUANTITIES)}")
    vendor = setup("ingest")
    from misto.iot.models import Rule

    devices = prepare_devices(args.devices)
    base = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)
    batches, rows = messages(devices, args.size, base, args.per_message)
    total = len(rows)
    rules = Rule.objects.filter(active=True, quantity="pm25").count()
    print(f"database: {vendor}; {total} readings in {len(batches)} MQTT messages "
          f"({total // len(batches)} readings each) from {len(devices)} devices; "
          f"{rules} PM2.5 rule(s) on every station; {args.consumers} consumer process(es)")
    events_before = count_events()
    seconds, published, consumers_cpu, publisher_cpu = end_to_end(
        batches, total, args.consumers, args.connections, rows[-1])
    e2e = total / seconds
    events = count_events() - events_before
    print(f"end to end (publish -> committed, latest state, rules): {seconds:.2f} s, "
          f"{len(batches) / seconds:,.0f} messages/s, {e2e:,.0f} readings/s; "
          f"{events} rule events raised")
    print(f"publisher: last message acknowledged by the broker after {published:.2f} s "
          f"({args.connections} connections); CPU per message: consumers "
          f"{consumers_cpu / len(batches) * 1e6:.0f} us, publisher "
          f"{publisher_cpu / len(batches) * 1e6:.0f} us; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    raw_seconds = raw_copy(rows)
    raw = total / raw_seconds
    print(f"raw limit (the same rows by one COPY into the readings table): {raw_seconds:.2f} s,"
          f" {raw:,.0f} readings/s")
    empty_tables()
    print(f"ratio={e2e / raw:.3f}")


def count_events() -> int:
    from misto.core.models import OutboxEvent

    return OutboxEvent.objects.filter(name="iot.ReadingOutOfRange").count()


if __name__ == "__main__":
    main()
