"""Over a real Mosquitto: a device's readings appear live; a threshold alerts exactly once."""

import json

import pytest
from django.test import Client

from misto.conftest import wait_for
from misto.core.models import OutboxEvent
from misto.iot.models import Latest, Reading
from misto.iot.tests.conftest import at, publish

pytestmark = pytest.mark.django_db(transaction=True)


def test_published_reading_appears_on_api_page_and_stream(devices, consumer, publisher,
                                                          tenant):
    aq = devices["aq"]
    publish(publisher, tenant, "aq-t1", {"ts": at(0).isoformat(),
                                         "values": {"pm25": 12.5, "temperature": 3.5}})
    assert wait_for(lambda: Latest.objects.filter(device=aq).count() == 2, 15)
    client = Client()
    data = client.get("/api/iot/devices/aq-t1").json()
    assert data["latest"]["pm25"]["value"] == 12.5
    assert data["status"] == "online"
    page = client.get("/iot/devices/aq-t1/")
    assert page.status_code == 200
    assert "12,5" in page.content.decode()  # Ukrainian number format
    # The live stream sends the next reading as a server-sent event.
    response = client.get("/iot/devices/aq-t1/stream")
    assert response["Content-Type"] == "text/event-stream"
    chunks = iter(response.streaming_content)
    assert next(chunks).startswith(b"retry:")
    publish(publisher, tenant, "aq-t1", {"ts": at(1).isoformat(), "values": {"pm25": 33.0}})
    for chunk in chunks:
        text = chunk.decode()
        if text.startswith("event: reading"):
            payload = json.loads(text.split("data: ", 1)[1])
            assert payload["quantity"] == "pm25" and payload["value"] == 33.0
            break
    response.close()


def test_threshold_over_mqtt_alerts_exactly_once(devices, consumer, publisher, tenant):
    # pm25 rule: above 55 raises, back at or below 35 clears.
    series = [20, 40, 60, 80, 57, 54, 70, 62]
    bodies = [{"ts": at(i).isoformat(), "values": {"pm25": v}} for i, v in enumerate(series)]
    for body in bodies:
        publish(publisher, tenant, "aq-t1", body)
    for body in bodies:  # the broker redelivers, a gateway retries: the same messages again
        publish(publisher, tenant, "aq-t1", body)
    # In one message, as a batch, too.
    publish(publisher, tenant, "aq-t1", bodies)
    assert wait_for(lambda: Reading.objects.filter(device_id=devices["aq"].pk).count() == 8, 15)
    assert wait_for(lambda: OutboxEvent.objects.filter(name="iot.ReadingOutOfRange").exists())
    events = list(OutboxEvent.objects.filter(name="iot.ReadingOutOfRange"))
    assert len(events) == 1
    assert events[0].payload["value"] == 60.0 and events[0].payload["cleared"] is False
    # Exactly one delivery row per installed handler; the event is in the outbox once.
    from misto.iot.models import RuleState

    assert RuleState.objects.get(device=devices["aq"]).active is True
