"""The consumer's side of MQTT 5, read in bulk: what the ingest hot path needs and no more.

paho-mqtt reads a socket one packet at a time (a ``recv`` for the header byte, one per
length byte, one for the rest), builds a message object, a properties object and a callback
per PUBLISH, and writes every PUBACK with its own ``send``: about 60 microseconds of Python
per message, more than the rest of the ingest path together (docs/iot.md, "Benchmark"). The
consumer only ever needs one persistent session on one shared subscription, so it speaks
that part of the protocol itself:

- CONNECT (persistent session: clean start off, a session expiry, a receive maximum, the
  account of ``MQTT_URL``), CONNACK, SUBSCRIBE at QoS 1, SUBACK;
- PUBLISH read from 256 KiB ``recv`` calls and cut into ``(topic, payload, packet id, qos)``
  tuples; the PUBACKs of a committed batch sent in one write;
- PINGREQ when the connection has been quiet for half the keep-alive, and a dead connection
  noticed when no answer came for a keep-alive and a half; the server's DISCONNECT.

Publishing (``publish_as_device``, the simulator, the tests) stays with paho-mqtt.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import struct
import time

from misto.iot.conf import MqttSettings

# (topic, payload, packet id, qos) of one received PUBLISH
Publish = tuple[str, bytes, int, int]

CHUNK = 1 << 18
PINGREQ = b"\xc0\x00"
DISCONNECT = b"\xe0\x00"


class ProtocolError(ConnectionError):
    """The broker refused us, hung up, or sent what MQTT 5 does not allow here."""


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | 0x80 if value else byte)
        if not value:
            return bytes(out)


def _text(value: str | bytes) -> bytes:
    raw = value.encode() if isinstance(value, str) else value
    return len(raw).to_bytes(2, "big") + raw


def _packet(header: int, body: bytes) -> bytes:
    return bytes([header]) + _varint(len(body)) + body


def _read_varint(data: bytes, pos: int) -> tuple[int, int] | None:
    """(value, position after it), or None when the bytes end first."""
    value = shift = 0
    while pos < len(data):
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7
        if shift > 21:
            raise ProtocolError("malformed variable byte integer")
    return None


class Session:
    """One connection to the broker with the consumer's persistent session."""

    def __init__(self, settings: MqttSettings, *, receive_maximum: int, keepalive: int = 30,
                 timeout: float = 10.0) -> None:
        self.settings = settings
        self.receive_maximum = receive_maximum
        self.keepalive = keepalive
        sock = socket.create_connection((settings.host, settings.port), timeout=timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if settings.tls:
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=settings.host)
        self.sock: socket.socket = sock
        self.pending = b""  # bytes received, not yet a whole packet
        self.received: list[Publish] = []
        self.control: list[tuple[int, bytes]] = []  # (packet type, body) of other packets
        self.last_sent = self.last_heard = time.monotonic()
        self.ping_sent = False

    # --- the handshake --------------------------------------------------------------

    def open(self, topic_filter: str, *more: str) -> bool:
        """CONNECT and SUBSCRIBE (to one or more filters, each at QoS 1); True when the broker
        still had our session."""
        settings = self.settings
        flags = 0
        payload = _text(settings.client_id)
        if settings.username:
            flags |= 0x80
            payload += _text(settings.username)
            if settings.password:
                flags |= 0x40
                payload += _text(settings.password)
        properties = (b"\x11" + settings.session_expiry.to_bytes(4, "big")
                      + b"\x21" + min(self.receive_maximum, 65535).to_bytes(2, "big"))
        self._send(_packet(0x10, _text("MQTT") + bytes([5, flags])
                           + self.keepalive.to_bytes(2, "big") + _varint(len(properties))
                           + properties + payload))
        body = self._control(0x2)
        if len(body) < 2 or body[1] >= 0x80:
            raise ProtocolError(f"the broker refused the connection (reason 0x{body[1]:02x})"
                                if len(body) >= 2 else "malformed CONNACK")
        session_present = bool(body[0] & 1)
        filters = (topic_filter, *more)
        self._send(_packet(0x82, b"\x00\x01\x00"
                           + b"".join(_text(each) + b"\x01" for each in filters)))
        body = self._control(0x9)
        found = _read_varint(body, 2) if len(body) > 2 else None
        reasons = body[found[1] + found[0]:] if found else b""
        for index, each in enumerate(filters):
            if len(reasons) <= index or reasons[index] >= 0x80:
                raise ProtocolError(
                    f"the broker refused the subscription to {each!r}"
                    + (f" (reason 0x{reasons[index]:02x})" if len(reasons) > index else ""))
        return session_present

    def _control(self, kind: int) -> bytes:
        """Wait for the next packet of this type (publishes arriving meanwhile are kept)."""
        deadline = time.monotonic() + 10
        while True:
            for index, (found, body) in enumerate(self.control):
                if found == kind:
                    del self.control[index]
                    return body
            if time.monotonic() > deadline:
                raise ProtocolError(f"no answer of type {kind} from the broker")
            self._fill(1.0)

    # --- the stream -----------------------------------------------------------------

    def receive(self, timeout: float, limit: int) -> list[Publish]:
        """Up to ``limit`` publishes: those already read, else what arrives within ``timeout``
        seconds."""
        if not self.received:
            self._fill(timeout)
        received = self.received
        if len(received) <= limit:
            self.received = []
            return received
        self.received = received[limit:]
        return received[:limit]

    def ack(self, packet_ids: list[int]) -> None:
        """PUBACK every one of these packet ids, in one write."""
        if packet_ids:
            self._send(struct.pack(f"!{len(packet_ids)}I",
                                   *[0x40020000 | pid for pid in packet_ids]))

    def keep_alive(self) -> None:
        """PINGREQ when we have been quiet; a connection silent too long is dead."""
        now = time.monotonic()
        if self.ping_sent and now - self.last_heard > self.keepalive * 1.5:
            raise ProtocolError("the broker stopped answering")
        if now - self.last_sent >= self.keepalive / 2:
            self._send(PINGREQ)
            self.ping_sent = True

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.sendall(DISCONNECT)
        self.sock.close()

    # --- bytes ------------------------------------------------------------------------

    def _send(self, data: bytes) -> None:
        self.sock.sendall(data)
        self.last_sent = time.monotonic()

    def _fill(self, timeout: float) -> None:
        self.sock.settimeout(timeout)
        try:
            chunk = self.sock.recv(CHUNK)
        except (TimeoutError, ssl.SSLWantReadError):
            return
        if not chunk:
            raise ProtocolError("the broker closed the connection")
        self.last_heard = time.monotonic()
        self.ping_sent = False
        self.pending = self.pending + chunk if self.pending else chunk
        self._parse()

    def _parse(self) -> None:
        data, pos, size = self.pending, 0, len(self.pending)
        received = self.received
        while size - pos >= 2:
            header = data[pos]
            length = data[pos + 1]
            start = pos + 2
            if length & 0x80:
                found = _read_varint(data, pos + 1)
                if found is None:
                    break
                length, start = found
            end = start + length
            if end > size:
                break
            if header >> 4 == 3:  # PUBLISH
                cut = start + 2 + ((data[start] << 8) | data[start + 1])
                topic = data[start + 2:cut].decode("utf-8", "replace")
                qos = (header >> 1) & 3
                packet_id = 0
                if qos:
                    packet_id = (data[cut] << 8) | data[cut + 1]
                    cut += 2
                if data[cut] == 0:  # no properties: the usual case
                    cut += 1
                else:
                    properties = _read_varint(data, cut)
                    if properties is None:
                        raise ProtocolError("malformed PUBLISH properties")
                    cut = properties[1] + properties[0]
                received.append((topic, data[cut:end], packet_id, qos))
            elif header >> 4 == 14:  # DISCONNECT from the server
                reason = data[start] if length else 0
                raise ProtocolError(f"the broker disconnected us (reason 0x{reason:02x})")
            elif header >> 4 != 13:  # PINGRESP needs nothing
                self.control.append((header >> 4, data[start:end]))
            pos = end
        self.pending = data[pos:]
