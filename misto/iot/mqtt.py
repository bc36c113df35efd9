"""The MQTT consumer: QoS 1, MQTT 5 shared subscription, acknowledged after commit.

Started by ``misto serve`` / ``misto worker`` as a module runner when ``MQTT_URL`` is set.
It subscribes to ``$share/<group>/misto/<tenant>/devices/+/readings`` with a persistent
session (``clean_start=False`` and a session expiry), so a consumer that stops or dies gets
the messages it missed when it comes back. Messages are acknowledged (``manual_ack``) only
after the transaction holding their readings has committed: a SIGKILL at any instant leaves
them unacknowledged, the broker redelivers them, and the unique key (device, quantity, ts)
turns the redelivery into a no-op. Bad payloads become dead letters; the loop never stops
on them.
"""

from __future__ import annotations

import logging
import queue
import ssl
import threading
import time
from dataclasses import dataclass, replace
from typing import Any

import paho.mqtt.client as mqtt
from django.db import close_old_connections, connection
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from prometheus_client import Counter

from misto.iot import conf
from misto.iot.errors import Rejected
from misto.iot.ingest import Directory, Row, directory, parse_mqtt
from misto.iot.storage import DeadLetterDraft, store_readings

logger = logging.getLogger(__name__)

READINGS = Counter("misto_iot_readings_total", "Readings committed by the MQTT consumer")
MESSAGES = Counter("misto_iot_messages_total", "MQTT messages handled")
DEAD = Counter("misto_iot_dead_letters_total", "Messages dead-lettered", ["channel"])

RECEIVE_MAXIMUM = 5000  # unacknowledged messages the broker may send us


@dataclass(frozen=True)
class Message:
    """A received message, already parsed (in paho's thread, while the last batch commits)."""

    topic: str
    mid: int
    qos: int
    generation: int
    rows: list[Row]
    dead: DeadLetterDraft | None


def topic_filter(settings: conf.MqttSettings) -> str:
    """The city's own tenant only: a wildcard tenant would take in anyone's readings."""
    return f"$share/{settings.group}/{conf.readings_topic(settings.tenant, '+')}"


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
    """One consumer: paho's network thread queues messages, :meth:`run` stores and acks."""

    def __init__(self, settings: conf.MqttSettings, registry: Directory | None = None) -> None:
        self.settings = settings
        self.registry = registry or directory()
        self.inbox: queue.Queue[Message] = queue.Queue()
        self.generation = 0
        self.connected = threading.Event()
        self.client = new_client(settings.client_id, manual_ack=True)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.client.reconnect_delay_set(1, 30)

    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any,
                    properties: Any) -> None:
        if reason.is_failure:
            logger.error("MQTT connection refused: %s", reason)
            return
        self.generation += 1
        client.subscribe(topic_filter(self.settings), qos=1)
        self.connected.set()
        logger.info("MQTT consumer %s connected (session present: %s)",
                    self.settings.client_id, flags.session_present)

    def _on_disconnect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any,
                       properties: Any) -> None:
        self.connected.clear()
        connection.close()  # the parsing in this (paho's) thread may have opened one
        logger.warning("MQTT consumer disconnected: %s", reason)

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage
                    ) -> None:
        rows: list[Row] = []
        dead = None
        payload = bytes(message.payload)
        try:
            rows = parse_mqtt(message.topic, payload, self.registry)
        except Rejected as error:
            dead = DeadLetterDraft("mqtt", message.topic, error.reason, error.message, payload,
                                   error.device_uid)
        except Exception as error:  # a decoder bug must not stop the stream
            logger.exception("unexpected error decoding a message on %s", message.topic)
            dead = DeadLetterDraft("mqtt", message.topic, "internal_error", repr(error)[:500],
                                   payload)
        self.inbox.put(Message(message.topic, message.mid, message.qos, self.generation,
                               rows, dead))

    def next_batch(self, stop: threading.Event) -> list[Message]:
        try:
            first = self.inbox.get(timeout=0.5)
        except queue.Empty:
            return []
        batch = [first]
        limit = conf.ingest_batch()
        deadline = time.monotonic() + conf.ingest_max_delay()
        while len(batch) < limit and not stop.is_set():
            try:
                batch.append(self.inbox.get_nowait())
                continue
            except queue.Empty:
                pass
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                batch.append(self.inbox.get(timeout=left))
            except queue.Empty:
                break
        return batch

    def handle(self, batch: list[Message]) -> None:
        rows = [row for message in batch for row in message.rows]
        dead = [message.dead for message in batch if message.dead is not None]
        attempt = 0
        while True:
            try:
                store_readings(rows, dead, registry=self.registry)
                break
            except Exception:
                attempt += 1
                logger.exception("storing a batch failed (attempt %s); retrying", attempt)
                close_old_connections()
                time.sleep(min(0.2 * 2**attempt, 10))
        READINGS.inc(len(rows))
        MESSAGES.inc(len(batch))
        if dead:
            DEAD.labels("mqtt").inc(len(dead))
        for message in batch:
            # After a reconnect the broker redelivers what we had not acknowledged; a message
            # id from an older connection means nothing on the new one.
            if message.qos > 0 and message.generation == self.generation:
                self.client.ack(message.mid, message.qos)

    def run(self, stop: threading.Event) -> None:
        connect(self.client, self.settings, persistent=True, receive_maximum=RECEIVE_MAXIMUM)
        self.client.loop_start()
        try:
            while not stop.is_set():
                batch = self.next_batch(stop)
                if batch:
                    self.handle(batch)
        finally:
            self.client.disconnect()
            self.client.loop_stop()
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
