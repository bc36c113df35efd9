"""The event bus: the entry points modules and staff screens call.

``publish`` records an event and one delivery row per installed handler in the caller's
transaction; after that transaction commits, ``after_commit`` tries the inline handlers in
this process and announces the events to the transport, which wakes the workers. ``replay``
puts dead letters back in the queue.

These live on top of the event layers, so that none of them reaches up:
``events`` (event classes and the handler registry) <- ``outbox`` (delivering a row to its
handler) <- ``transport`` (when and where deliveries run) <- ``bus``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from django.db import transaction
from django.utils import timezone

from misto.core import outbox
from misto.core.events import DomainEvent, handlers_for
from misto.core.models import DeliveryStatus, EventDelivery, OutboxEvent
from misto.core.transport import get_transport

logger = logging.getLogger(__name__)


def publish(event: DomainEvent) -> int:
    """Record ``event`` in the outbox within the current transaction; returns its id.

    Call it inside the transaction that makes the change, so the change and the event
    commit or roll back together. Delivery starts after commit, once per transaction
    (however many events it published).
    """
    with transaction.atomic(savepoint=False):
        row = OutboxEvent.objects.create(
            name=event.event_name, payload=event.to_payload(), occurred_at=timezone.now()
        )
        EventDelivery.objects.bulk_create(
            EventDelivery(event=row, handler=handler.id, next_attempt_at=row.occurred_at)
            for handler in handlers_for(event.event_name)
        )
        _pending_after_commit().append(row.pk)
    return row.pk


def publish_many(events: Sequence[DomainEvent]) -> list[int]:
    """:func:`publish` for several events of one transaction, in order: two statements
    (the events, their delivery rows) instead of two per event. For hot paths such as
    the ingest's rules, which may raise dozens of events in one batch."""
    if not events:
        return []
    with transaction.atomic(savepoint=False):
        now = timezone.now()
        rows = OutboxEvent.objects.bulk_create([
            OutboxEvent(name=event.event_name, payload=event.to_payload(), occurred_at=now)
            for event in events
        ])
        EventDelivery.objects.bulk_create(
            EventDelivery(event=row, handler=handler.id, next_attempt_at=now)
            for row, event in zip(rows, events, strict=True)
            for handler in handlers_for(event.event_name)
        )
        ids = [row.pk for row in rows]
        _pending_after_commit().extend(ids)
    return ids


class _CommittedEvents(list[int]):
    """Ids published in the current transaction; called once, after it commits."""

    def __call__(self) -> None:
        after_commit(list(dict.fromkeys(self)))  # SQLite may reuse a rolled-back id


def _pending_after_commit() -> _CommittedEvents:
    """The current transaction's batch, registered with on_commit on first use.

    A batch whose callback Django dropped (its transaction or savepoint rolled back) or
    already ran is not reused: a new one is registered.
    """
    connection = transaction.get_connection()
    batch: _CommittedEvents | None = getattr(connection, "misto_events_batch", None)
    registered = batch is not None and any(
        callback is batch for _sids, callback, _robust in connection.run_on_commit
    )
    if batch is None or not registered:
        batch = _CommittedEvents()
        connection.misto_events_batch = batch
        transaction.on_commit(batch)
    return batch


def after_commit(event_ids: list[int]) -> None:
    """Run after the publishing transaction commits: inline handlers, then the transport."""
    try:
        if outbox.INLINE_DELIVERY.get():
            outbox.deliver_inline(event_ids)
        get_transport().announce(event_ids)
    except Exception:
        # The events are committed; the worker's next pass delivers them anyway.
        logger.exception("post-commit delivery of events %s deferred to the worker", event_ids)


def replay(delivery_ids: Iterable[int]) -> int:
    """Put dead letters back in the queue (staff action); returns how many were replayed."""
    ids = list(delivery_ids)
    count = EventDelivery.objects.filter(pk__in=ids, status=DeliveryStatus.DEAD).update(
        status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=timezone.now(),
        last_error="",
    )
    if count:
        event_ids = list(
            EventDelivery.objects.filter(pk__in=ids).values_list("event_id", flat=True).distinct()
        )
        transaction.on_commit(lambda: after_commit(event_ids))
    return count
