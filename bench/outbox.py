"""Outbox benchmark: domain events published and delivered, against a raw insert.

    .venv/bin/python bench/outbox.py [--size N] [--batch B]

1. Baseline: the same N outbox rows and their delivery rows inserted raw (executemany) in
   transactions of B events.
2. Publish: N events through ``misto.core.bus.publish`` in transactions of B.
3. Deliver: a worker pass (``deliver_due``) over all N deliveries, each in its own
   transaction with the row lock, the handler and the mark.

Last line: ``ratio=<publish seconds / raw insert seconds>``.
"""

from __future__ import annotations

import argparse
import json
import time
import uuid

from common import setup

setup("outbox")

from dataclasses import dataclass  # noqa: E402

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from misto.core import outbox  # noqa: E402
from misto.core.bus import publish  # noqa: E402
from misto.core.events import DomainEvent, EventEnvelope, consumes  # noqa: E402
from misto.core.models import EventDelivery, OutboxEvent  # noqa: E402


@dataclass(frozen=True)
class BenchHappened(DomainEvent):
    event_name = "bench.BenchHappened"
    number: int


handled: list[int] = []


@consumes("bench.BenchHappened")
def count(event: EventEnvelope) -> None:
    handled.append(event.payload["number"])


def raw_insert(size: int, batch: int) -> float:
    now = timezone.now()
    event_table, delivery_table = OutboxEvent._meta.db_table, EventDelivery._meta.db_table
    started = time.perf_counter()
    for start in range(0, size, batch):
        with transaction.atomic(), connection.cursor() as cursor:
            for number in range(start, min(size, start + batch)):
                cursor.execute(
                    f"INSERT INTO {event_table} (uuid, name, payload, occurred_at) "
                    "VALUES (%s, %s, %s, %s)",
                    [uuid.uuid4().hex if connection.vendor == "sqlite" else uuid.uuid4(),
                     "bench.Raw", json.dumps({"number": number}), now],
                )
                event_id = cursor.lastrowid if connection.vendor == "sqlite" else None
                if event_id is None:
                    cursor.execute("SELECT lastval()")
                    event_id = cursor.fetchone()[0]
                cursor.execute(
                    f"INSERT INTO {delivery_table} (event_id, handler, status, attempts, "
                    "next_attempt_at, last_error) VALUES (%s, %s, %s, 0, %s, '')",
                    [event_id, "bench.raw", "delivered", now],
                )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()
    EventDelivery.objects.all().delete()
    OutboxEvent.objects.all().delete()

    raw = raw_insert(args.size, args.batch)
    EventDelivery.objects.all().delete()
    OutboxEvent.objects.all().delete()

    started = time.perf_counter()
    for start in range(0, args.size, args.batch):
        with transaction.atomic():
            for number in range(start, min(args.size, start + args.batch)):
                publish(BenchHappened(number=number))
    published = time.perf_counter() - started

    started = time.perf_counter()
    while outbox.deliver_due(limit=1000):
        pass
    delivered = time.perf_counter() - started
    assert len(handled) == args.size, f"delivered {len(handled)} of {args.size}"

    print(f"database: {connection.vendor}, events: {args.size}, batch: {args.batch}")
    print(f"raw insert (event + delivery rows): {raw:.2f} s, {args.size / raw:,.0f} events/s")
    print(f"publish: {published:.2f} s, {args.size / published:,.0f} events/s")
    print(f"deliver (one transaction each): {delivered:.2f} s, "
          f"{args.size / delivered:,.0f} deliveries/s")
    print(f"ratio={published / raw:.2f}")


if __name__ == "__main__":
    main()
