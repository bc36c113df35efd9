"""How committed events reach the processes that deliver them.

One small interface, two implementations:

* :class:`DatabaseTransport` (embedded default): workers poll the outbox table; a
  publish in the same process wakes the local worker at once.
* :class:`NatsTransport` (scale-out): committed events are relayed to a NATS JetStream
  stream (the event's UUID as ``Nats-Msg-Id``, so a relay repeated after a crash is
  de-duplicated by the server); worker processes share one durable pull consumer, so the
  stream spreads the work among them. A relay loop sends whatever a dead publisher left
  unrelayed, and a slow sweep of the table retries failed deliveries with back-off.

Either way the delivery itself is ``misto.core.outbox.deliver``: the transport decides
*when and where*, never *whether*, an event is delivered.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Coroutine
from datetime import timedelta
from functools import cache
from typing import Any, Protocol, TypeVar

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from misto.core import outbox
from misto.core.models import OutboxEvent

logger = logging.getLogger(__name__)
T = TypeVar("T")



class EventTransport(Protocol):
    def announce(self, event_ids: list[int]) -> None:
        """Called after commit with the ids of newly committed events."""

    def run(self, stop: threading.Event) -> None:
        """The worker side: deliver events until ``stop`` is set."""

    def check(self) -> None:
        """Raise if the transport cannot work now (used by /readyz)."""


_wakeup = threading.Event()


class DatabaseTransport:
    def announce(self, event_ids: list[int]) -> None:
        _wakeup.set()

    def run(self, stop: threading.Event) -> None:
        poll = settings.MISTO_OUTBOX_POLL_SECONDS
        while not stop.is_set():
            handled = _guarded(outbox.deliver_due)
            close_old_connections()
            if not handled:
                _wakeup.wait(poll)
                _wakeup.clear()

    def check(self) -> None:
        return None


def _guarded(step: Any, *args: Any) -> int:
    """Run one worker step; a passing fault (database restart) must not kill the loop."""
    try:
        return int(step(*args))
    except Exception:
        logger.exception("event worker step failed; retrying")
        close_old_connections()
        return 0


def event_message(event: OutboxEvent) -> bytes:
    return json.dumps(
        {"id": event.pk, "uuid": str(event.uuid), "name": event.name,
         "payload": event.payload, "occurred_at": event.occurred_at.isoformat()},
        ensure_ascii=False,
    ).encode()


class NatsTransport:
    """Domain events over NATS JetStream; see the module docstring."""

    def __init__(self, url: str, stream: str = "MISTO_EVENTS", ack_wait: float = 30.0) -> None:
        self.url = url
        self.stream = stream
        # One stream per installation; its subjects are "<stream>.<event name>".
        self.subjects = f"{stream}.>"
        self.durable = f"{stream}-workers"
        self.ack_wait = ack_wait
        self._loop: asyncio.AbstractEventLoop | None = None
        self._nc: Any = None
        self._js: Any = None
        self._lock = threading.Lock()

    # -- a private event loop, so that synchronous Django code can publish ----------
    def _run_sync(self, coroutine: Coroutine[Any, Any, T], timeout: float = 10) -> T:
        with self._lock:
            if self._loop is None:
                self._loop = asyncio.new_event_loop()
                threading.Thread(
                    target=self._loop.run_forever, name="nats-publisher", daemon=True
                ).start()
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    async def _jetstream(self) -> Any:
        import nats

        if self._nc is None or self._nc.is_closed:
            self._nc = await nats.connect(self.url, connect_timeout=3, max_reconnect_attempts=3)
            self._js = self._nc.jetstream()
            await self.ensure_stream(self._js)
        return self._js

    async def ensure_stream(self, js: Any) -> None:
        from nats.js.api import StreamConfig
        from nats.js.errors import NotFoundError

        config = StreamConfig(
            name=self.stream, subjects=[self.subjects], duplicate_window=600.0,
            max_age=7 * 24 * 3600.0,
        )
        try:
            await js.stream_info(self.stream)
        except NotFoundError:
            await js.add_stream(config)

    async def _relay(self, events: list[OutboxEvent]) -> list[int]:
        js = await self._jetstream()
        relayed = []
        for event in events:
            await js.publish(
                f"{self.stream}.{event.name}", event_message(event),
                headers={"Nats-Msg-Id": str(event.uuid)},
            )
            relayed.append(event.pk)
        return relayed

    def relay(self, events: list[OutboxEvent]) -> int:
        """Publish events to the stream and mark them relayed; returns how many."""
        if not events:
            return 0
        relayed = self._run_sync(self._relay(events))
        OutboxEvent.objects.filter(pk__in=relayed).update(relayed_at=timezone.now())
        return len(relayed)

    def relay_pending(self, older_than: timedelta = timedelta(0), limit: int = 500) -> int:
        events = list(
            OutboxEvent.objects.filter(
                relayed_at__isnull=True, occurred_at__lte=timezone.now() - older_than
            ).order_by("pk")[:limit]
        )
        return self.relay(events)

    def announce(self, event_ids: list[int]) -> None:
        self.relay(list(OutboxEvent.objects.filter(pk__in=event_ids, relayed_at__isnull=True)))

    def check(self) -> None:
        self._run_sync(self._jetstream(), timeout=5)

    # -- the worker side ----------------------------------------------------------------
    def run(self, stop: threading.Event) -> None:
        asyncio.run(self._consume(stop))

    async def _consume(self, stop: threading.Event) -> None:
        import nats
        from nats.errors import TimeoutError as FetchTimeout
        from nats.js.api import ConsumerConfig

        nc = await nats.connect(self.url, connect_timeout=3)
        js = nc.jetstream()
        await self.ensure_stream(js)
        subscription = await js.pull_subscribe(
            self.subjects, durable=self.durable,
            config=ConsumerConfig(ack_wait=self.ack_wait, max_ack_pending=1000),
        )
        sweep_every, since_sweep = 5.0, 5.0
        try:
            while not stop.is_set():
                if since_sweep >= sweep_every:
                    # Relay what a dead publisher left behind, retry failed deliveries.
                    await asyncio.to_thread(_guarded, self.relay_pending, timedelta(seconds=2))
                    await asyncio.to_thread(_guarded, outbox.deliver_due)
                    since_sweep = 0.0
                try:
                    messages = await subscription.fetch(batch=50, timeout=1)
                except FetchTimeout:
                    since_sweep += 1.0
                    continue
                for message in messages:
                    event_id = json.loads(message.data)["id"]
                    await asyncio.to_thread(_guarded, deliver_event, event_id)
                    await message.ack()
                since_sweep += 0.1
        finally:
            await nc.close()


def deliver_event(event_id: int) -> int:
    """Deliver every due delivery of one event (what a broker message stands for)."""
    count = outbox.deliver_due(event_ids=[event_id])
    close_old_connections()
    return count


@cache
def get_transport() -> EventTransport:
    url = settings.EVENTS_TRANSPORT
    if url == "database":
        return DatabaseTransport()
    if url.startswith(("nats://", "tls://")):
        return NatsTransport(
            url, stream=settings.MISTO_NATS_STREAM, ack_wait=settings.MISTO_NATS_ACK_WAIT
        )
    raise ValueError(f"MISTO_EVENTS_TRANSPORT must be 'database' or a nats:// URL, got {url!r}")
