"""A device publishing over Mosquitto appears live on its page, in a real browser."""

from __future__ import annotations

import pytest

from misto.core.tests.browser import axe_violations, screenshot
from misto.iot.storage import store_readings
from misto.iot.tests.conftest import at, publish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_device_page_updates_live_from_mqtt(live_server, page, devices, consumer, publisher,
                                            tenant) -> None:
    aq = devices["aq"]
    store_readings([(aq.pk, "pm25", at(i), 10.0 + i % 7) for i in range(60)])
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server.url + "/iot/devices/aq-t1/")
    page.wait_for_selector("#iot-chart polyline", timeout=10_000, state="attached")
    assert errors == []
    assert page.locator("html").get_attribute("lang") == "uk"
    assert page.locator("#iot-chart polyline").count() == 1
    assert "iot-status-online" in page.locator("#iot-status").get_attribute("class")
    assert axe_violations(page) == []
    # The stream is open; a reading published over MQTT now reaches the page.
    page.wait_for_timeout(1500)
    publish(publisher, tenant, "aq-t1", {"ts": at(61).isoformat(), "values": {"pm25": 47.5}})
    page.wait_for_function(
        "document.getElementById('iot-live').textContent.includes('47.5')", timeout=20_000)
    assert page.locator("#iot-chart").get_attribute("data-count") == "61"
    assert "47" in page.locator('#iot-latest tr[data-quantity="pm25"] .iot-value').inner_text()
    screenshot(page, "iot-device-live")


def test_sensors_page_is_accessible(live_server, page, devices) -> None:
    page.goto(live_server.url + "/iot/")
    assert page.get_by_role("heading", level=1).inner_text()
    assert page.locator("table tbody tr").count() == 3
    assert axe_violations(page) == []
    screenshot(page, "iot-sensors")
