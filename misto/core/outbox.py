"""Delivering outbox events to their handlers: at least once, effects once, never lost.

Every transport ends here: whatever woke the worker (a poll of the table, a NATS message),
the delivery itself is :func:`deliver`, which locks the delivery row, runs the handler in a
savepoint and marks the row in the same transaction. A process killed at any instant
leaves the row pending (its transaction never committed) and another pass delivers it.
Failures are retried with exponential back-off; after ``MISTO_OUTBOX_MAX_ATTEMPTS`` the row
becomes a dead letter that staff see and can replay (``misto.core.bus.replay``).

This layer knows the handlers (``misto.core.events``) and the tables, never the transport:
what runs after a commit is the bus's business (``misto.core.bus``).
"""

from __future__ import annotations

import contextvars
import logging
import random
import traceback
from collections.abc import Callable, Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from misto.core import metrics
from misto.core.events import EventEnvelope, all_handlers, handler_by_id
from misto.core.models import DeliveryStatus, EventDelivery, OutboxEvent

logger = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=1)

# Inline handlers buy latency for a request that is waiting. Background threads (ingest,
# tasks) turn them off: the event worker delivers their events moments later, and a hot
# loop such as MQTT ingest must not run other modules' handlers after every batch.
INLINE_DELIVERY: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "misto_inline_delivery", default=True
)


def backoff(attempts: int) -> timedelta:
    """Delay before attempt ``attempts + 1``: 2, 4, 8... seconds with jitter, capped."""
    base = min(2.0**attempts, MAX_BACKOFF.total_seconds())
    return timedelta(seconds=base * random.uniform(0.8, 1.2))


def envelope(event: OutboxEvent) -> EventEnvelope:
    return EventEnvelope(
        id=event.pk, uuid=str(event.uuid), name=event.name,
        payload=event.payload, occurred_at=event.occurred_at,
    )


MARK_FIELDS = ["status", "attempts", "next_attempt_at", "last_error", "delivered_at"]


def deliver_rows(rows: QuerySet[EventDelivery], limit: int) -> int:
    """Deliver up to ``limit`` pending rows of ``rows`` in one transaction; returns how many.

    The rows are locked (``SKIP LOCKED`` on PostgreSQL: concurrent workers take other rows;
    SQLite has a single writer), each handler runs in its own savepoint, and the marks are
    written in the same transaction. A crash anywhere rolls the whole batch back, so every
    row in it is delivered again, and its handlers' writes happen once.
    """
    with transaction.atomic():
        batch = list(
            rows.filter(status=DeliveryStatus.PENDING)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("event")
            .order_by("next_attempt_at", "id")[:limit]
        )
        delivered: list[int] = []
        for delivery in batch:
            handler = handler_by_id(delivery.handler)
            delivery.attempts += 1
            if handler is None:
                _fail(delivery, "handler is not installed (its module is switched off?)",
                      final=True)
            else:
                _run(handler.func, delivery)
            if delivery.status == DeliveryStatus.DELIVERED:
                delivered.append(delivery.pk)
            else:  # failures are rare: each keeps its own error and next attempt
                delivery.save(update_fields=MARK_FIELDS)
        # The common case in one statement, not a CASE per row.
        EventDelivery.objects.filter(pk__in=delivered).update(
            status=DeliveryStatus.DELIVERED, attempts=F("attempts") + 1,
            delivered_at=timezone.now(), last_error="",
        )
    return len(batch)


def deliver(delivery_id: int) -> bool:
    """Deliver one pending row; False when it was not pending (done, dead, or taken)."""
    return deliver_rows(EventDelivery.objects.filter(pk=delivery_id), 1) == 1


def _run(func: Callable[[EventEnvelope], None], delivery: EventDelivery) -> None:
    """Run a handler in a savepoint: its writes vanish if it fails, the mark stays."""
    try:
        with transaction.atomic():
            func(envelope(delivery.event))
    except Exception:
        _fail(delivery, traceback.format_exc(limit=8))
    else:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = timezone.now()
        delivery.last_error = ""
        metrics.EVENTS_DELIVERED.labels(handler=delivery.handler).inc()


def _fail(delivery: EventDelivery, error: str, final: bool = False) -> None:
    delivery.last_error = error[-4000:]
    if final or delivery.attempts >= settings.MISTO_OUTBOX_MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.DEAD
        metrics.EVENTS_DEAD.labels(handler=delivery.handler).inc()
        logger.error("event %s to %s is a dead letter: %s", delivery.event_id,
                     delivery.handler, error.strip().splitlines()[-1])
    else:
        delivery.next_attempt_at = timezone.now() + backoff(delivery.attempts)
        metrics.EVENTS_FAILED.labels(handler=delivery.handler).inc()
        logger.warning("event %s to %s failed (attempt %s), retrying at %s",
                       delivery.event_id, delivery.handler, delivery.attempts,
                       delivery.next_attempt_at)


def due(event_ids: Iterable[int] | None = None) -> QuerySet[EventDelivery]:
    rows = EventDelivery.objects.filter(
        status=DeliveryStatus.PENDING, next_attempt_at__lte=timezone.now()
    )
    if event_ids is not None:
        rows = rows.filter(event_id__in=list(event_ids))
    return rows


def deliver_due(limit: int = 1000, batch: int | None = None,
                event_ids: Iterable[int] | None = None) -> int:
    """Deliver due rows in transactions of ``batch``; returns how many were handled."""
    batch = batch or settings.MISTO_OUTBOX_BATCH
    ids = None if event_ids is None else list(event_ids)
    handled = 0
    while handled < limit:
        count = deliver_rows(due(ids), min(batch, limit - handled))
        if not count:
            break
        handled += count
    return handled


def deliver_inline(event_ids: list[int]) -> None:
    """Try the inline handlers of freshly committed events in this process."""
    inline = [handler.id for handler in all_handlers() if handler.inline]
    if inline:
        deliver_rows(due(event_ids).filter(handler__in=inline), len(event_ids) * len(inline))
