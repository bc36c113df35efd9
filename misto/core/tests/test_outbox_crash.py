"""SIGKILL a real worker process between commit and delivery: nothing is lost or doubled.

Runs on whichever database the suite runs on (``make test`` runs both), over the
database transport and over NATS JetStream.
"""

from __future__ import annotations

import asyncio
import signal
import threading
import uuid
from collections.abc import Iterator

import pytest
from django.db import transaction

from misto.conftest import wait_for
from misto.core.bus import publish
from misto.core.models import DeliveryStatus, EventDelivery
from misto.core.tests.sample_module.events import SampleHappened
from misto.core.tests.sample_module.models import Echo

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

NATS_URL = "nats://127.0.0.1:4222"
EVENTS = 40


@pytest.fixture
def nats_stream() -> Iterator[str]:
    """A JetStream stream of this test's own, deleted afterwards."""
    import nats

    name = f"MISTO_TEST_{uuid.uuid4().hex[:10].upper()}"
    yield name

    async def delete() -> None:
        nc = await nats.connect(NATS_URL)
        try:
            await nc.jetstream().delete_stream(name)
        finally:
            await nc.close()

    # In a thread of its own: Playwright may hold an event loop in the main thread.
    thread = threading.Thread(target=asyncio.run, args=(delete(),))
    thread.start()
    thread.join(30)


def publish_committed(count: int, slow: float) -> None:
    with transaction.atomic():
        for number in range(count):
            publish(SampleHappened(number=number, slow=slow))


def pending() -> int:
    return EventDelivery.objects.exclude(status=DeliveryStatus.DELIVERED).count()


def kill_mid_stream_and_recover(spawn_misto, env: dict[str, str]) -> None:
    # Small batches commit often, so the kill lands between commits and inside a batch.
    env = {"MISTO_OUTBOX_BATCH": "4", **env}
    first = spawn_misto("worker", "--only", "events", **env)
    assert wait_for(lambda: Echo.objects.count() >= 5, timeout=60), first.stdout
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    delivered_before = Echo.objects.count()
    assert 0 < delivered_before < EVENTS, "the kill must land in the middle of the stream"

    second = spawn_misto("worker", "--only", "events", **env)
    assert wait_for(lambda: pending() == 0, timeout=90)
    second.send_signal(signal.SIGTERM)
    second.wait(15)

    numbers = sorted(Echo.objects.values_list("number", flat=True))
    assert numbers == list(range(EVENTS)), "every event delivered exactly once"
    pids = set(Echo.objects.values_list("handled_by_pid", flat=True))
    assert pids == {first.pid, second.pid}
    assert not EventDelivery.objects.filter(status=DeliveryStatus.DEAD).exists()


def test_database_transport_survives_sigkill(spawn_misto) -> None:
    publish_committed(EVENTS, slow=0.05)
    assert Echo.objects.count() == 0  # committed, not yet delivered: no worker runs
    kill_mid_stream_and_recover(spawn_misto, {"MISTO_EVENTS_TRANSPORT": "database"})


def test_nats_transport_survives_sigkill_of_publisher_and_worker(
    spawn_misto, nats_stream: str
) -> None:
    # The publisher (this process) commits but never relays, as if it died right after
    # commit: the worker's relay loop must find the events in the outbox and send them.
    publish_committed(EVENTS, slow=0.05)
    env = {"MISTO_EVENTS_TRANSPORT": NATS_URL, "MISTO_NATS_STREAM": nats_stream,
           "MISTO_NATS_ACK_WAIT": "2"}
    kill_mid_stream_and_recover(spawn_misto, env)


def test_nats_transport_relays_after_commit(spawn_misto, nats_stream: str, settings) -> None:
    from misto.core.models import OutboxEvent
    from misto.core.transport import get_transport

    settings.EVENTS_TRANSPORT = NATS_URL
    settings.MISTO_NATS_STREAM = nats_stream
    get_transport.cache_clear()
    try:
        worker = spawn_misto("worker", "--only", "events", MISTO_EVENTS_TRANSPORT=NATS_URL,
                             MISTO_NATS_STREAM=nats_stream)
        publish_committed(5, slow=0)
        # Relayed by this process right after commit, not left for the relay loop.
        assert not OutboxEvent.objects.filter(relayed_at__isnull=True).exists()
        assert wait_for(lambda: Echo.objects.count() == 5, timeout=30)
        worker.send_signal(signal.SIGTERM)
        worker.wait(15)
    finally:
        get_transport.cache_clear()
