"""Helpers for the ledger's tests: build a log of ``n`` entries with heads at chosen sizes,
deliver an event to the ledger."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest
from django.utils import timezone

from misto.core import outbox
from misto.core.events import handlers_for
from misto.core.models import EventDelivery, OutboxEvent
from misto.ledger import services


def fill(count: int, start: int = 0, kind: str = "test.thing") -> Sequence[services.Receipt]:
    return services.append_many(
        (kind, {"n": start + i, "ref": f"r{start + i}", "digest": f"{start + i:064x}"}, None)
        for i in range(count)
    )


def deliver(name: str, payload: dict) -> OutboxEvent:
    """Put an event in the outbox as its publisher would; deliver it to the ledger's handler
    (other modules' handlers of the same event are theirs to test)."""
    event = OutboxEvent.objects.create(name=name, payload=payload, occurred_at=timezone.now())
    for handler in (h for h in handlers_for(name) if h.app == "misto.ledger"):
        delivery = EventDelivery.objects.create(event=event, handler=handler.id)
        assert outbox.deliver(delivery.pk)
        delivery.refresh_from_db()
        assert delivery.status == "delivered", delivery.last_error
    return event


@pytest.fixture
def build_log() -> Callable[[int, Sequence[int]], list[bytes]]:
    """Append entries up to ``size``, signing a head at each of ``heads`` (and at ``size``).

    Returns the entries' exact leaf bytes, for comparison with ``misto.ledger.merkle``.
    """

    def build(size: int, heads: Sequence[int] = ()) -> list[bytes]:
        done = 0
        for mark in [*sorted(heads), size]:
            fill(mark - done, start=done)
            done = mark
            services.issue_head()
        return [payload.encode() for payload in services.LedgerEntry.objects
                .order_by("index").values_list("payload", flat=True)]

    return build
