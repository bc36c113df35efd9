"""SIGKILL the ingest process in the middle of a QoS 1 stream: every reading stored once."""

import signal
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from misto.conftest import wait_for
from misto.core.models import OutboxEvent
from misto.iot.models import Reading
from misto.iot.tests.conftest import BROKER, publish

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

MESSAGES = 300


def test_sigkill_mid_stream_then_restart_stores_every_reading_once(
        devices, publisher, tenant, spawn_misto):
    aq = devices["aq"]
    env = {
        "MQTT_URL": f"mqtt://{BROKER[0]}:{BROKER[1]}", "MISTO_IOT_TENANT": tenant,
        "MISTO_MQTT_GROUP": tenant, "MISTO_MQTT_CLIENT_ID": f"misto-test-{tenant}",
        "MISTO_MQTT_SESSION_EXPIRY": "300", "MISTO_INGEST_BATCH": "20",
        "MISTO_INGEST_MAX_DELAY": "0.1",
    }
    base = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)

    def body(i):
        # pm25 crosses the 55 threshold once, at message 150, and stays above.
        return {"ts": (base + timedelta(seconds=i)).isoformat(),
                "values": {"pm25": 80.0 if i >= 150 else 20.0, "temperature": i / 10,
                           "relativeHumidity": 50.0}}

    worker = spawn_misto("worker", "--only", "runners", **env)

    def first_stored():
        # Until the worker has subscribed, the broker drops what nobody listens to; the
        # same message again is harmless (that is the point of the test).
        publish(publisher, tenant, "aq-t1", body(0))
        return Reading.objects.filter(device_id=aq.pk).exists()

    assert wait_for(first_stored, 60, step=0.5), "the worker did not start storing"

    sent = threading.Event()

    def stream():
        for i in range(1, MESSAGES):
            publish(publisher, tenant, "aq-t1", body(i), wait=False)
            time.sleep(0.01)
        sent.set()

    thread = threading.Thread(target=stream)
    thread.start()
    # Kill while the stream is flowing and readings are being committed.
    assert wait_for(lambda: Reading.objects.filter(device_id=aq.pk).count() >= 150, 30)
    worker.send_signal(signal.SIGKILL)
    worker.wait(10)
    killed_at = Reading.objects.filter(device_id=aq.pk).count()
    thread.join(30)
    assert sent.is_set()
    assert killed_at < MESSAGES * 3, "the stream ended before the kill: nothing was tested"

    spawn_misto("worker", "--only", "runners", **env)
    assert wait_for(lambda: Reading.objects.filter(device_id=aq.pk).count() >= MESSAGES * 3,
                    60)
    time.sleep(1.0)  # anything redelivered late would show up now
    rows = list(Reading.objects.filter(device_id=aq.pk).values_list("quantity", "ts"))
    assert len(rows) == MESSAGES * 3 == len(set(rows))
    stamps = {ts for quantity, ts in rows if quantity == "pm25"}
    assert stamps == {base + timedelta(seconds=i) for i in range(MESSAGES)}
    events = OutboxEvent.objects.filter(name="iot.ReadingOutOfRange")
    assert events.count() == 1
    assert events.get().payload["observed_at"] == (base + timedelta(seconds=150)).isoformat()
