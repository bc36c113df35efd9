"""The device live stream under ``misto serve`` (uvicorn, ASGI): live, freed on leave, capped."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from misto.conftest import wait_for
from misto.iot.tests.conftest import at, free_port

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

CAP = 2


@pytest.fixture
def server(devices, spawn_misto) -> int:
    """A real ``misto serve`` (web only) allowing CAP streams per client address."""
    port = free_port()
    spawn_misto("serve", "--port", str(port), "--no-background",
                MISTO_IOT_STREAMS_PER_CLIENT=str(CAP))
    assert wait_for(lambda: _status(port, "/healthz") == 200, 60, step=0.3), \
        "misto serve did not start"
    return port


def _status(port: int, path: str) -> int | None:
    try:
        with _get(port, path) as connection:
            return int(_read_until(connection, b"\r\n", 5).split(b" ")[1])
    except OSError:
        return None


@contextmanager
def _get(port: int, path: str) -> Iterator[socket.socket]:
    connection = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        connection.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                           "Accept: text/event-stream\r\n\r\n".encode())
        yield connection
    finally:
        connection.close()


def _read_until(connection: socket.socket, marker: bytes, seconds: float) -> bytes:
    """What the server sent until ``marker`` arrived (a timeout fails the test)."""
    connection.settimeout(seconds)
    received = b""
    while marker not in received:
        chunk = connection.recv(65536)
        if not chunk:
            raise AssertionError(f"the server closed the stream before {marker!r}: {received!r}")
        received += chunk
    return received


STREAM = "/iot/devices/aq-t1/stream"


def test_a_reading_stored_while_connected_arrives_in_the_stream(server, devices):
    from misto.iot.storage import store_readings

    with _get(server, STREAM) as stream:
        head = _read_until(stream, b"retry:", 10)
        assert b" 200 " in head.split(b"\r\n")[0]
        assert b"text/event-stream" in head
        store_readings([(devices["aq"].pk, "pm25", at(0), 42.5)])
        received = _read_until(stream, b"event: reading", 10)
        received += _read_until(stream, b"\n\n", 5)
        assert b'"quantity": "pm25"' in received and b'"value": 42.5' in received


def test_streams_are_capped_per_client_and_freed_on_leave(server):
    with _get(server, STREAM) as first, _get(server, STREAM) as second:
        for stream in (first, second):
            assert b" 200 " in _read_until(stream, b"retry:", 10)
        with _get(server, STREAM) as third:
            answer = _read_until(third, b"\r\n\r\n", 10)
            assert answer.startswith(b"HTTP/1.1 429 ")
            assert b"retry-after: " in answer.lower()
        first.close()  # the client leaves: its slot is freed
        assert wait_for(lambda: _status(server, STREAM) == 200, 10, step=0.2)
