"""A device's live stream (server-sent events), without a thread per client, capped per client.

Under ``misto serve`` (uvicorn, ASGI) the stream is an async generator: between two polls
it holds no thread, and Django cancels it as soon as the client disconnects (a sync
generator there would be read whole, in a thread, before anything is sent). Under WSGI
(``misto runserver``, the test client) a plain generator polls the same way and notices a
closed connection at the next write. The same polling serves both.

Each client address may hold ``MISTO_IOT_STREAMS_PER_CLIENT`` streams at once in one server
process; one more is answered 429 with ``Retry-After``. A slot is given back when its stream
ends, when the client leaves, and when the response is closed without having been read.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from datetime import datetime

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.utils.translation import gettext as _

from misto.core.ratelimit import client_address
from misto.iot import conf
from misto.iot.models import Device, Latest

STREAM_SECONDS = 300  # a stream ends after this; EventSource reconnects by itself
STREAM_POLL = 1.0
RETRY_AFTER_SECONDS = 30  # when over the cap: about how long a leaving client takes to show


class Slot:
    """One open stream of one client address; :meth:`release` may be called any number of
    times (the stream's end and the response's close both call it)."""

    def __init__(self, slots: Slots, address: str) -> None:
        self._slots = slots
        self.address = address
        self._released = False

    def release(self) -> None:
        with self._slots.lock:
            if self._released:
                return
            self._released = True
            self._slots.release(self.address)


class Slots:
    """How many streams each client address holds open in this process."""

    def __init__(self) -> None:
        self.lock = threading.Lock()  # WSGI serves streams from several threads
        self._open: dict[str, int] = {}

    def take(self, address: str, cap: int) -> Slot | None:
        with self.lock:
            if self._open.get(address, 0) >= cap:
                return None
            self._open[address] = self._open.get(address, 0) + 1
        return Slot(self, address)

    def release(self, address: str) -> None:
        """Called by :class:`Slot` with the lock held."""
        left = self._open.get(address, 0) - 1
        if left > 0:
            self._open[address] = left
        else:
            self._open.pop(address, None)


SLOTS = Slots()


class Readings:
    """The device's new latest values since the last poll, as server-sent events."""

    def __init__(self, device: Device, since: datetime | None) -> None:
        self.device = device
        self.since = since
        self.seen: dict[str, datetime] | None = {} if since is not None else None

    def poll(self) -> str:
        try:
            rows = list(Latest.objects.filter(device=self.device).order_by("quantity"))
        finally:
            # Between polls a stream must not sit on a database connection; inside a test's
            # atomic block there is nothing to let go of.
            if not connection.in_atomic_block:
                connection.close()
        if self.seen is None:  # no ?since=: what is already there is not news
            self.seen = {row.quantity: row.ts for row in rows}
            return ""
        events = []
        for row in rows:
            newer = self.since is None or row.ts > self.since
            if row.ts != self.seen.get(row.quantity) and newer:
                self.seen[row.quantity] = row.ts
                data = {"device": self.device.uid, "quantity": row.quantity,
                        "value": row.value, "ts": row.ts.isoformat()}
                events.append(f"event: reading\ndata: {json.dumps(data)}\n\n")
        return "".join(events)


# Both generators poll once before their first event, so that what is stored after the
# client has seen ``retry:`` is news to it.

def _sync_events(readings: Readings, slot: Slot) -> Iterator[str]:
    try:
        yield "retry: 3000\n\n" + readings.poll()
        deadline = time.monotonic() + STREAM_SECONDS
        while time.monotonic() < deadline:
            time.sleep(STREAM_POLL)
            # A comment every poll: a WSGI server sees a gone client only when writing.
            yield readings.poll() or ": keep-alive\n\n"
    finally:
        slot.release()


async def _async_events(readings: Readings, slot: Slot) -> AsyncIterator[str]:
    # Each poll may run in another thread of the pool (it closes its own connection).
    poll = sync_to_async(readings.poll, thread_sensitive=False)
    try:
        yield "retry: 3000\n\n" + await poll()
        deadline = time.monotonic() + STREAM_SECONDS
        while time.monotonic() < deadline:
            await asyncio.sleep(STREAM_POLL)  # cancelled here when the client leaves
            yield await poll() or ": keep-alive\n\n"
    finally:
        slot.release()


class LiveStream(StreamingHttpResponse):
    """A stream that gives its slot back when closed, even if its content was never read."""

    def __init__(self, content: Iterator[str] | AsyncIterator[str], slot: Slot) -> None:
        super().__init__(content, content_type="text/event-stream")
        self.slot = slot
        self["Cache-Control"] = "no-cache"
        self["X-Accel-Buffering"] = "no"

    def close(self) -> None:
        self.slot.release()
        super().close()


def open_stream(request: HttpRequest, device: Device, since: datetime | None
                ) -> HttpResponseBase:
    """The device's live stream, or 429 when this client already holds its share."""
    slot = SLOTS.take(client_address(request), conf.streams_per_client())
    if slot is None:
        refused = HttpResponse(
            _("Too many live streams from your address; close one and try again later."),
            status=429, content_type="text/plain; charset=utf-8")
        refused["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return refused
    readings = Readings(device, since)
    if isinstance(request, ASGIRequest):
        return LiveStream(_async_events(readings, slot), slot)
    return LiveStream(_sync_events(readings, slot), slot)
