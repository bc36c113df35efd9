"""Fixtures of the IoT tests: the demo catalogue and a few registered devices."""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest

from misto.iot.ingest import reset_directory
from misto.iot.mqtt import Consumer
from misto.iot.rules import reset_rule_index
from misto.testing.world import build_city


@pytest.fixture(autouse=True)
def _fresh_caches():
    reset_directory()
    reset_rule_index()
    yield
    reset_directory()
    reset_rule_index()


@pytest.fixture
def catalogue(db):
    from misto.iot.demo import ensure_catalogue
    from misto.iot.models import Reading

    yield ensure_catalogue()
    # The readings table is not a Django-managed table, so the flush after a transactional
    # test leaves it alone: empty it here.
    Reading.objects.all()._raw_delete(Reading.objects.db)


@pytest.fixture
def devices(catalogue):
    """Three devices in the named test city's east district (misto/testing/world.py)."""
    from misto.iot.services import register_device

    build_city()
    return {
        "aq": register_device("aq-t1", "Air station", "aq-station", lon=35.16, lat=47.84),
        "bin": register_device("bin-t1", "Bin", "bin-lpp", lon=35.161, lat=47.841,
                               dev_eui="70B3D57ED005B15A"),
        "water": register_device("water-t1", "Water meter", "water-meter", lon=35.17,
                                 lat=47.85, dev_eui="0101010101010101"),
    }


@pytest.fixture
def tenant() -> str:
    return f"t{uuid.uuid4().hex[:10]}"


# Fixed once per run: a test that stores at(1) and then asks for at(1) must get the same
# instant even when a minute turns in between.
BASE = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=2)


def at(minutes: float) -> datetime:
    """A time ``minutes`` after a fixed recent instant."""
    return BASE + timedelta(minutes=minutes)


BROKER = ("127.0.0.1", 1883)


def mqtt_settings_for(tenant: str, session_expiry: int = 120):
    from misto.iot.conf import MqttSettings

    return MqttSettings(host=BROKER[0], port=BROKER[1], tls=False, username=None,
                        password=None, tenant=tenant, group=tenant,
                        client_id=f"misto-test-{tenant}", session_expiry=session_expiry)


@contextmanager
def running_consumer(settings) -> Iterator[Consumer]:
    """An MQTT consumer thread with these settings, connected and subscribed."""
    import threading

    from misto.iot.mqtt import Consumer

    stop = threading.Event()
    worker = Consumer(settings)
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()
    try:
        assert worker.connected.wait(10), "the consumer could not connect to Mosquitto"
        time.sleep(0.2)  # let the subscription settle
        yield worker
    finally:
        stop.set()
        thread.join(10)


@pytest.fixture
def consumer(tenant):
    """An MQTT consumer thread on this test's own tenant and group."""
    with running_consumer(mqtt_settings_for(tenant)) as worker:
        yield worker


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def publisher():
    from misto.iot.mqtt import new_client

    client = new_client(f"misto-test-pub-{uuid.uuid4().hex[:8]}")
    client.connect(*BROKER)
    client.loop_start()
    yield client
    client.loop_stop()
    client.disconnect()


def publish(client, tenant: str, uid: str, body, wait: bool = True):
    import json as _json

    payload = body if isinstance(body, bytes) else _json.dumps(body).encode()
    info = client.publish(f"misto/{tenant}/devices/{uid}/readings", payload, qos=1)
    if wait:
        info.wait_for_publish(10)
    return info
