"""The consumer's MQTT 5 reader against a scripted broker on a real socket: packets cut at
every boundary, long lengths, properties, the handshake's refusals, PUBACKs in one write."""

import socket
import threading
from dataclasses import replace

import pytest

from misto.iot.tests.conftest import mqtt_settings_for
from misto.iot.wire import ProtocolError, Session, _packet, _text


def publish(topic: str, payload: bytes, packet_id: int, properties: bytes = b"") -> bytes:
    return _packet(0x32, _text(topic) + packet_id.to_bytes(2, "big")
                   + bytes([len(properties)]) + properties + payload)


CONNACK = _packet(0x20, b"\x00\x00\x00")
SUBACK = _packet(0x90, b"\x00\x01\x00\x01")


class Broker:
    """Accepts one connection, answers the handshake with ``greeting``, then sends ``script``
    one byte at a time; keeps what the client wrote."""

    def __init__(self, greeting: bytes, script: bytes = b"") -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.greeting, self.script = greeting, script
        self.written = bytearray()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        conn, _ = self.server.accept()
        conn.settimeout(5)
        with conn:
            self.written += conn.recv(4096)  # CONNECT
            conn.sendall(self.greeting[:len(CONNACK)])
            if len(self.greeting) > len(CONNACK):
                self.written += conn.recv(4096)  # SUBSCRIBE
                conn.sendall(self.greeting[len(CONNACK):])
            for index in range(len(self.script)):
                conn.sendall(self.script[index:index + 1])
            try:
                while chunk := conn.recv(4096):
                    self.written += chunk
            except OSError:
                pass

    def session(self) -> Session:
        return Session(replace(mqtt_settings_for("wire"), port=self.port),
                       receive_maximum=5000)


def test_publishes_cut_anywhere_are_read_whole_and_acked_in_one_write():
    long_topic = "misto/wire/devices/" + "d" * 200 + "/readings"  # a two-byte length
    script = (publish("misto/wire/devices/a/readings", b'{"x": 1}', 7)
              + publish(long_topic, b"y" * 300, 8, properties=b"\x01\x01")  # with properties
              + _packet(0xD0, b"")  # PINGRESP, ignored
              + publish("misto/wire/devices/b/readings", b"", 65535))
    broker = Broker(CONNACK + SUBACK, script)
    session = broker.session()
    assert session.open("$share/wire/misto/wire/devices/+/readings") is False
    received = []
    for _ in range(2000):
        received += session.receive(0.05, 2)
        if len(received) == 3:
            break
    assert received == [("misto/wire/devices/a/readings", b'{"x": 1}', 7, 1),
                        (long_topic, b"y" * 300, 8, 1),
                        ("misto/wire/devices/b/readings", b"", 65535, 1)]
    session.ack([7, 8, 65535])
    session.close()
    broker.thread.join(5)
    assert broker.written.endswith(b"\x40\x02\x00\x07\x40\x02\x00\x08\x40\x02\xff\xff\xe0\x00")
    connect = bytes(broker.written[:60])
    assert connect[0] == 0x10 and b"MQTT\x05\x00" in connect  # clean start off: persistent


def test_a_refused_connection_or_subscription_is_an_error():
    refused = Broker(_packet(0x20, b"\x00\x87\x00"))  # not authorized
    with pytest.raises(ProtocolError, match="0x87"):
        refused.session().open("$share/wire/misto/wire/devices/+/readings")
    no_subscription = Broker(CONNACK + _packet(0x90, b"\x00\x01\x00\x87"))
    with pytest.raises(ProtocolError, match="subscription"):
        no_subscription.session().open("$share/wire/misto/wire/devices/+/readings")


def test_the_brokers_disconnect_ends_the_session():
    broker = Broker(CONNACK + SUBACK, _packet(0xE0, b"\x8b\x00"))  # server shutting down
    session = broker.session()
    session.open("$share/wire/misto/wire/devices/+/readings")
    with pytest.raises(ProtocolError, match="0x8b"):
        for _ in range(100):
            session.receive(0.05, 10)
