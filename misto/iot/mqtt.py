"""The MQTT consumer: QoS 1, MQTT 5 shared subscription, acknowledged after commit.

Started by ``misto serve`` / ``misto worker`` as a module runner when ``MQTT_URL`` is set.
It subscribes to ``$share/<group>/misto/<tenant>/devices/+/readings`` with a persistent
session (``clean_start=False`` and a session expiry), so a consumer that stops or dies gets
the messages it missed when it comes back. It reads the stream in bulk through
:mod:`misto.iot.wire` and commits a batch of messages in one transaction. Messages are
acknowledged only after the transaction holding their readings has committed: a SIGKILL at
any instant leaves them unacknowledged, the broker redelivers them, and the unique key
(device, quantity, ts) turns the redelivery into a no-op. Bad payloads become dead letters;
the loop never stops on them.
"""

from __future__ import annotations

import logging
import ssl
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Any

import paho.mqtt.client as mqtt
from django.db import close_old_connections, connection
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from prometheus_client import Counter

from misto.core import uplinks
from misto.iot import conf
from misto.iot.errors import Rejected
from misto.iot.ingest import (
    DeviceInfo,
    Directory,
    Row,
    Window,
    directory,
    parse_mqtt,
    uplink_device,
)
from misto.iot.storage import DeadLetterDraft, store_readings, store_uplink
from misto.iot.wire import Publish, Session

logger = logging.getLogger(__name__)

READINGS = Counter("misto_iot_readings_total", "Readings committed by the MQTT consumer")
MESSAGES = Counter("misto_iot_messages_total", "MQTT messages handled")
DEAD = Counter("misto_iot_dead_letters_total", "Messages dead-lettered", ["channel"])

RECEIVE_MAXIMUM = 5000  # unacknowledged messages the broker may send us


@dataclass
class Batch:
    """Messages received for one transaction: their readings, dead letters and packet ids."""

    rows: list[Row] = field(default_factory=list)
    dead: list[DeadLetterDraft] = field(default_factory=list)
    acks: list[int] = field(default_factory=list)
    messages: int = 0
    # Messages of other claimed channels (misto.core.uplinks): device, channel, payload, topic.
    channel_messages: list[tuple[DeviceInfo, str, bytes, str]] = field(default_factory=list)

    def add(self, received: list[Publish], registry: Directory, window: Window) -> None:
        rows, acks = self.rows, self.acks
        claimed: dict[str, frozenset[str]] | None = None
        for topic, payload, packet_id, qos in received:
            try:
                if topic.endswith("/readings"):
                    rows.extend(parse_mqtt(topic, payload, registry, window))
                else:
                    claimed = uplinks.channels() if claimed is None else claimed
                    device, channel = uplink_device(topic, payload, registry, claimed)
                    self.channel_messages.append((device, channel, payload, topic))
            except Rejected as error:
                self.dead.append(DeadLetterDraft("mqtt", topic, error.reason, error.message,
                                                 payload, error.device_uid))
            except Exception as error:  # a decoder bug must not stop the stream
                logger.exception("unexpected error decoding a message on %s", topic)
                self.dead.append(DeadLetterDraft("mqtt", topic, "internal_error",
                                                 repr(error)[:500], payload))
            if qos:
                acks.append(packet_id)
        self.messages += len(received)


def topic_filter(settings: conf.MqttSettings) -> str:
    """The city's own tenant only: a wildcard tenant would take in anyone's readings."""
    return f"$share/{settings.group}/{conf.readings_topic(settings.tenant, '+')}"


def topic_filters(settings: conf.MqttSettings) -> list[str]:
    """The readings, and each channel an installed module claims (a validator's taps)."""
    return [topic_filter(settings)] + [
        f"$share/{settings.group}/{conf.device_topic(settings.tenant, '+', channel)}"
        for channel in sorted(uplinks.channels())]


def new_client(client_id: str = "", *, manual_ack: bool = False) -> mqtt.Client:
    return mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id,
                       protocol=mqtt.MQTTv5, manual_ack=manual_ack)


def connect(client: mqtt.Client, settings: conf.MqttSettings, *, persistent: bool,
            receive_maximum: int | None = None) -> None:
    if settings.username:
        client.username_pw_set(settings.username, settings.password)
    if settings.tls:
        client.tls_set(cert_reqs=ssl.CERT_REQUIRED)
    properties = Properties(PacketTypes.CONNECT)
    if persistent:
        properties.SessionExpiryInterval = settings.session_expiry
    if receive_maximum:
        properties.ReceiveMaximum = receive_maximum
    client.connect(settings.host, settings.port, keepalive=30, clean_start=not persistent,
                   properties=properties)


class Consumer:
    """One consumer: reads a batch of messages, stores it in one transaction, then acks it.

    One thread does it all (:mod:`misto.iot.wire` reads the socket in bulk): while a batch
    commits, the broker keeps sending up to the receive maximum into the socket's buffer.
    Scale out with more processes in the shared subscription, not threads.
    """

    def __init__(self, settings: conf.MqttSettings, registry: Directory | None = None) -> None:
        self.settings = settings
        self.registry = registry or directory()
        self.connected = threading.Event()

    def connect(self, stop: threading.Event) -> Session | None:
        """A subscribed session, retried with a growing pause; None once ``stop`` is set."""
        pause = 1.0
        while not stop.is_set():
            try:
                session = Session(self.settings, receive_maximum=RECEIVE_MAXIMUM)
                try:
                    present = session.open(*topic_filters(self.settings))
                except BaseException:
                    session.sock.close()
                    raise
            except OSError as error:
                logger.error("MQTT connection failed: %s", error)
                stop.wait(pause)
                pause = min(pause * 2, 30.0)
                continue
            self.connected.set()
            logger.info("MQTT consumer %s connected (session present: %s)",
                        self.settings.client_id, present)
            return session
        return None

    def next_batch(self, session: Session, stop: threading.Event) -> Batch:
        """What arrives until the batch is full or its first message has waited long enough
        (empty when nothing came for half a second)."""
        batch = Batch()
        first = session.receive(0.5, conf.ingest_batch())
        if not first:
            return batch
        window = Window.at()
        batch.add(first, self.registry, window)
        limit = conf.ingest_batch()
        deadline = time.monotonic() + conf.ingest_max_delay()
        while batch.messages < limit and not stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                break
            received = session.receive(left, limit - batch.messages)
            if not received:
                break
            batch.add(received, self.registry, window)
        return batch

    def handle(self, batch: Batch) -> None:
        attempt = 0
        while True:
            try:
                store_readings(batch.rows, batch.dead, registry=self.registry)
                break
            except Exception:
                attempt += 1
                logger.exception("storing a batch failed (attempt %s); retrying", attempt)
                close_old_connections()
                time.sleep(min(0.2 * 2**attempt, 10))
        for device, channel, payload, topic in batch.channel_messages:
            self.hand_over(device, channel, payload, topic)
        READINGS.inc(len(batch.rows))
        MESSAGES.inc(batch.messages)
        if batch.dead:
            DEAD.labels("mqtt").inc(len(batch.dead))

    def hand_over(self, device: DeviceInfo, channel: str, payload: bytes, topic: str) -> None:
        """One message of a claimed channel to its module. A refused one is a dead letter; an
        error is retried a few times, then kept as an ``internal_error`` dead letter (the
        message is acknowledged: one bad message must not stop every device's readings)."""
        for attempt in range(1, 4):
            try:
                store_uplink(device, channel, payload, topic, registry=self.registry)
                return
            except Exception as error:
                logger.exception("handing a %s message of %s over failed (attempt %s)",
                                 channel, device.uid, attempt)
                close_old_connections()
                if attempt == 3:
                    store_readings([], [DeadLetterDraft("mqtt", topic, "internal_error",
                                                        repr(error)[:500], payload,
                                                        device.uid)], registry=self.registry)
                    DEAD.labels("mqtt").inc()
                    return
                time.sleep(0.2 * 2**attempt)

    def run(self, stop: threading.Event) -> None:
        session = None
        try:
            while not stop.is_set():
                session = session or self.connect(stop)
                if session is None:
                    break
                try:
                    batch = self.next_batch(session, stop)
                    if batch.messages:
                        self.handle(batch)
                        # Only now, after the commit: a message whose ack is lost with the
                        # connection is redelivered, and storing it again changes nothing.
                        session.ack(batch.acks)
                    session.keep_alive()
                except OSError as error:  # the connection broke (ProtocolError included)
                    logger.warning("MQTT consumer disconnected: %s", error)
                    self.connected.clear()
                    session.close()
                    session = None
                    stop.wait(1.0)
        finally:
            self.connected.clear()
            if session is not None:
                session.close()
            connection.close()  # this thread's connection


def run_consumer(stop: threading.Event) -> None:
    """The module runner: consume until ``stop`` is set (idle when MQTT_URL is unset)."""
    settings = conf.mqtt_settings()
    if settings is None:
        stop.wait()  # not configured: stay idle instead of being restarted in a loop
        return
    Consumer(settings).run(stop)


class Refused(Exception):
    """The broker refused a connection or a publish (its MQTT 5 reason is the message)."""


def publish_as_device(settings: conf.MqttSettings, device_uid: str, secret: str, body: bytes,
                      timeout: float = 10.0) -> None:
    """Connect as the device, publish one QoS 1 reading message, wait for the broker's answer.

    Connecting for each message is how a battery-powered sensor talks; it also keeps the
    simulator at one connection however many devices it plays. Raises :class:`Refused`.
    """
    client = new_client()
    answers: dict[str, Any] = {}
    client.on_connect = lambda _c, _u, _f, reason, _p: answers.setdefault("connect", reason)
    client.on_publish = lambda _c, _u, _mid, reason, _p: answers.setdefault("publish", reason)

    def answer(kind: str) -> None:
        deadline = time.monotonic() + timeout
        while kind not in answers:
            if time.monotonic() > deadline:
                raise Refused(f"{device_uid}: no {kind} answer from the broker")
            if client.loop(0.05) != mqtt.MQTT_ERR_SUCCESS and kind not in answers:
                raise Refused(f"{device_uid}: the broker closed the connection before the "
                              f"{kind} answer")
        if answers[kind].is_failure:
            raise Refused(f"{device_uid}: {kind} refused: {answers[kind]}")

    connect(client, replace(settings, username=device_uid, password=secret), persistent=False)
    try:
        answer("connect")
        client.publish(conf.readings_topic(settings.tenant, device_uid), body, qos=1)
        answer("publish")
    finally:
        client.disconnect()
