"""The broker refuses what Misto did not authorise: a real Mosquitto with the generated files.

Each test starts its own Mosquitto on a free loopback port, configured by
``misto iot broker-config`` exactly as ``make run`` configures the project's broker.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from misto.conftest import wait_for
from misto.iot.models import DeadLetter, Reading
from misto.iot.tests.conftest import at, free_port, mqtt_settings_for, publish, running_consumer

pytestmark = pytest.mark.django_db(transaction=True)

MOSQUITTO = "/usr/sbin/mosquitto"


@dataclass
class Broker:
    port: int
    folder: Path
    consumer_url: str


@pytest.fixture
def broker(device_secrets, tenant, tmp_path, monkeypatch) -> Iterator[Broker]:
    """The project's broker for this test's tenant, aq-t1 and water-t1 holding credentials."""
    monkeypatch.setenv("MISTO_IOT_TENANT", tenant)
    port = free_port()
    call_command("iot", "broker-config", "--dir", str(tmp_path), "--port", str(port),
                 stdout=StringIO())
    process = subprocess.Popen([MOSQUITTO, "-c", str(tmp_path / "mosquitto.conf")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert wait_for(lambda: _listening(port), 10), "mosquitto did not start"
        yield Broker(port, tmp_path, (tmp_path / "mqtt_url").read_text().strip())
    finally:
        process.terminate()
        process.wait(10)


def _listening(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class Session:
    client: mqtt.Client
    connack: str
    pubacks: dict[int, str]


@contextmanager
def session(broker: Broker, username: str | None = None, password: str | None = None
            ) -> Iterator[Session]:
    """An MQTT 5 client that remembers its CONNACK and PUBACK reason codes."""
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    if username is not None:
        client.username_pw_set(username, password)
    state = Session(client, "", {})

    def on_connect(client, userdata, flags, reason, properties) -> None:
        state.connack = str(reason)

    def on_publish(client, userdata, mid, reason, properties) -> None:
        state.pubacks[mid] = str(reason)

    client.on_connect = on_connect
    client.on_publish = on_publish
    client.connect("127.0.0.1", broker.port)
    client.loop_start()
    assert wait_for(lambda: bool(state.connack), 10)
    try:
        yield state
    finally:
        client.loop_stop()
        client.disconnect()


def puback(state: Session, topic: str, body: dict) -> str:
    import json

    info = state.client.publish(topic, json.dumps(body).encode(), qos=1)
    assert wait_for(lambda: info.mid in state.pubacks, 10), "no PUBACK"
    return state.pubacks[info.mid]


@pytest.fixture
def device_secrets(devices) -> dict[str, str]:
    """aq-t1 and water-t1 hold credentials before the broker's files are written."""
    from misto.iot.services import issue_credentials

    return {uid: issue_credentials(devices[key]) for key, uid in [("aq", "aq-t1"),
                                                                   ("water", "water-t1")]}


@pytest.fixture
def platform_consumer(broker: Broker, tenant, monkeypatch):
    """The platform's consumer, configured from the MQTT_URL that make run sets."""
    from misto.iot import conf

    monkeypatch.setattr(django_settings, "MQTT_URL", broker.consumer_url)
    monkeypatch.setenv("MISTO_MQTT_GROUP", tenant)
    monkeypatch.setenv("MISTO_MQTT_CLIENT_ID", f"misto-test-{tenant}")
    settings = conf.mqtt_settings()
    assert settings is not None and settings.username and settings.port == broker.port
    with running_consumer(settings) as consumer:
        yield consumer


def test_anonymous_and_wrong_passwords_are_refused(device_secrets, broker):
    for username, password in [(None, None), ("aq-t1", "guess"), ("aq-t1", "")]:
        with session(broker, username, password) as state:
            assert state.connack == "Not authorized", (username, state.connack)


def test_a_device_cannot_publish_as_another(device_secrets, broker, platform_consumer,
                                            tenant, devices):
    with session(broker, "aq-t1", device_secrets["aq-t1"]) as state:
        assert state.connack == "Success"
        spoof = {"ts": at(0).isoformat(), "values": {"pressure": 0.2}}
        assert puback(state, f"misto/{tenant}/devices/water-t1/readings",
                      spoof) == "Not authorized"
        own = {"ts": at(1).isoformat(), "values": {"pm25": 7.5}}
        assert puback(state, f"misto/{tenant}/devices/aq-t1/readings", own) == "Success"
    assert wait_for(lambda: Reading.objects.filter(device_id=devices["aq"].pk).exists(), 15)
    assert not Reading.objects.filter(device_id=devices["water"].pk).exists()
    assert not DeadLetter.objects.exists()


def test_another_tenant_is_never_stored(device_secrets, broker, platform_consumer, tenant,
                                        devices):
    with session(broker, "aq-t1", device_secrets["aq-t1"]) as state:
        other = {"ts": at(0).isoformat(), "values": {"pm25": 1999.5}}
        assert puback(state, "misto/elsewhere/devices/aq-t1/readings",
                      other) == "Not authorized"
        own = {"ts": at(1).isoformat(), "values": {"pm25": 8.0}}
        assert puback(state, f"misto/{tenant}/devices/aq-t1/readings", own) == "Success"
    assert wait_for(lambda: Reading.objects.filter(device_id=devices["aq"].pk).exists(), 15)
    assert list(Reading.objects.filter(device_id=devices["aq"].pk)
                .values_list("value", flat=True)) == [8.0]


def test_the_consumer_takes_only_its_own_tenant(devices, tenant, publisher):
    """Even on a broker that lets anyone publish anywhere (the system one on :1883)."""
    with running_consumer(mqtt_settings_for(tenant)):
        publish(publisher, f"x{tenant}", "aq-t1", {"ts": at(0).isoformat(),
                                                   "values": {"pm25": 1999.5}})
        publish(publisher, tenant, "aq-t1", {"ts": at(1).isoformat(), "values": {"pm25": 9.0}})
        assert wait_for(lambda: Reading.objects.filter(device_id=devices["aq"].pk).exists(), 15)
        time.sleep(0.5)
    assert list(Reading.objects.filter(device_id=devices["aq"].pk)
                .values_list("value", flat=True)) == [9.0]


def test_the_tenant_is_one_topic_level_never_a_wildcard(monkeypatch):
    from misto.iot import conf

    monkeypatch.setattr(django_settings, "MQTT_URL", "mqtt://127.0.0.1:1883")
    monkeypatch.delenv("MISTO_IOT_TENANT", raising=False)
    settings = conf.mqtt_settings()
    assert settings is not None and settings.tenant == "demo"
    for bad in ["+", "#", "a/b", "", "de mo"]:
        monkeypatch.setenv("MISTO_IOT_TENANT", bad)
        with pytest.raises(ValueError, match="MISTO_IOT_TENANT"):
            conf.mqtt_settings()


def test_the_files_hold_the_consumer_and_each_devices_own_topic(device_secrets, broker,
                                                                tenant):
    acl = (broker.folder / "misto.acl").read_text()
    assert f"user aq-t1\ntopic write misto/{tenant}/devices/aq-t1/readings\n" in acl
    assert f"user misto\ntopic read misto/{tenant}/devices/+/readings\n" in acl
    passwords = (broker.folder / "misto.passwd").read_text()
    assert {line.split(":")[0] for line in passwords.splitlines()} == {
        "aq-t1", "water-t1", "misto"}
    conf_text = (broker.folder / "mosquitto.conf").read_text()
    assert "allow_anonymous false" in conf_text
    assert f"listener {broker.port} 127.0.0.1" in conf_text
    for name in ["misto.passwd", "mqtt_url"]:
        assert (broker.folder / name).stat().st_mode & 0o077 == 0
    # Run again (make run does, every time): the consumer keeps its password.
    call_command("iot", "broker-config", "--dir", str(broker.folder), "--port",
                 str(broker.port), stdout=StringIO())
    assert (broker.folder / "mqtt_url").read_text().strip() == broker.consumer_url


def test_simulate_publishes_as_the_demo_devices(catalogue, tenant, tmp_path, monkeypatch):
    """``misto demo`` gives the demo devices credentials; ``misto simulate`` uses them."""
    from misto.iot.demo import load
    from misto.iot.models import Device, Latest

    load(StringIO())
    assert not Device.objects.filter(uid__startswith="aq-", token_hash="").exists()
    monkeypatch.setenv("MISTO_IOT_TENANT", tenant)
    port = free_port()
    call_command("iot", "broker-config", "--dir", str(tmp_path), "--port", str(port),
                 stdout=StringIO())
    process = subprocess.Popen([MOSQUITTO, "-c", str(tmp_path / "mosquitto.conf")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert wait_for(lambda: _listening(port), 10)
        url = (tmp_path / "mqtt_url").read_text().strip()
        monkeypatch.setattr(django_settings, "MQTT_URL", url)
        monkeypatch.setenv("MISTO_MQTT_GROUP", tenant)
        from misto.iot import conf

        settings = conf.mqtt_settings()
        assert settings is not None
        with running_consumer(settings):
            out = StringIO()
            call_command("simulate", "--count", "40", "--duration", "30", "--interval", "0.5",
                         stdout=out)
            assert "published 40 messages" in out.getvalue()
            assert wait_for(lambda: Latest.objects.values("device").distinct().count() >= 40,
                            30)
        assert DeadLetter.objects.count() == 0
    finally:
        process.terminate()
        process.wait(10)


def test_simulate_stops_with_the_brokers_reason_when_refused(broker, monkeypatch):
    """Demo devices the broker's files do not know yet (broker-config ran before the demo)."""
    from django.core.management import CommandError

    from misto.iot.demo import load

    load(StringIO())
    monkeypatch.setattr(django_settings, "MQTT_URL", broker.consumer_url)
    with pytest.raises(CommandError, match="connect refused: Not authorized"):
        call_command("simulate", "--count", "1", stdout=StringIO())
