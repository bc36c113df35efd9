"""The sensors page, a device page, the staff pages, the dead-letter list, the demo."""

import pytest
from django.test import Client
from django.utils import timezone

from misto.iot.models import Device
from misto.iot.storage import store_readings
from misto.iot.tests.conftest import at
from misto.testing import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client():
    user = make_staff("dispatcher", "dispatcher")
    client = Client()
    client.force_login(user)
    return client


def test_public_pages(devices):
    store_readings([(devices["aq"].pk, "pm25", at(0), 21.0)])
    client = Client()
    page = client.get("/iot/").content.decode()
    assert "aq-t1" in page and 'id="iot-map"' in page and "<table>" in page
    device = client.get("/iot/devices/aq-t1/")
    assert device.status_code == 200
    html = device.content.decode()
    assert 'id="iot-chart"' in html and "iot-device-config" in html
    assert client.get("/iot/devices/aq-t1/?quantity=nope").status_code == 404
    assert client.get("/iot/devices/ghost/").status_code == 404


def test_private_devices_and_staff_pages(devices, staff_client):
    Device.objects.filter(uid="water-t1").update(public=False)
    client = Client()
    assert client.get("/iot/devices/water-t1/").status_code == 404
    assert client.get("/api/iot/devices/water-t1").status_code == 404
    assert staff_client.get("/iot/devices/water-t1/").status_code == 200
    assert client.get("/iot/staff/devices/").status_code == 403
    assert client.get("/iot/staff/silent/").status_code == 403
    assert client.get("/api/iot/dead-letters").status_code == 403
    store_readings([(devices["aq"].pk, "pm25", at(0), 21.0)])
    Device.objects.filter(uid="bin-t1").update(last_seen=timezone.now() - timezone.timedelta(
        days=1))
    silent = staff_client.get("/iot/staff/silent/").content.decode()
    assert "bin-t1" in silent and "water-t1" in silent  # long silent, never seen
    assert "aq-t1" not in silent
    assert "aq-t1" in staff_client.get("/iot/staff/devices/").content.decode()
    assert staff_client.get("/api/iot/dead-letters").status_code == 200


def test_demo_loads_idempotently(db):
    from io import StringIO

    from misto.iot.demo import MODELS, load

    load(StringIO())
    count = Device.objects.count()
    assert count == sum(spec[6] for spec in MODELS.values())
    load(StringIO())
    assert Device.objects.count() == count
    assert Device.objects.exclude(location=None).count() == count
