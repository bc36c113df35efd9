"""The issue's "done when", in Chromium: with the dashboard open, a sensor reading over its
threshold and a citizen's report in the same street appear as ONE incident on the map without
a reload; a dispatcher assigns it; the crew's phone page shows it; resolving it publishes
``situation.IncidentResolved`` naming the report, which the reports module turns into the
reporter's notification (test_with_reports.py follows that chain with the real module).

Twice: with the reading published over MQTT through the iot module's consumer and rules
(skipped when iot or Mosquitto is missing), and with the iot event written to the outbox as
iot publishes it (no dependency on other modules). The report arrives as reports publishes
its event.
"""

from __future__ import annotations

import io

import pytest
from PIL import Image

from misto.core.models import OutboxEvent
from misto.core.tests.browser import axe_violations, screenshot
from misto.situation.models import Incident, IncidentUpdate, Status
from misto.situation.tests.conftest import (
    ON_SHEVCHENKA,
    ON_SHEVCHENKA_60M,
    build_city,
    make_people,
    publish_raw,
    reading_payload,
    release_other_sessions,
    report_payload,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(context, base: str, username: str, password: str):
    page = context.new_page()
    page.goto(base + "/accounts/login/")
    page.get_by_label("Ім’я користувача").fill(username)
    page.get_by_label("Пароль").fill(password)
    page.get_by_role("button", name="Увійти").click()
    page.wait_for_load_state()
    return page


def photo_bytes() -> bytes:
    data = io.BytesIO()
    Image.new("RGB", (32, 24), (40, 120, 200)).save(data, "JPEG")
    return data.getvalue()


def through_the_outbox() -> str:
    """The iot module's event, written to the outbox as iot publishes it."""
    publish_raw("iot.ReadingOutOfRange", reading_payload("pressure-7", *ON_SHEVCHENKA))
    return "pressure-7:water_pressure"


def test_one_incident_live_then_dispatch_crew_and_resolve(live_server, browser, settings):
    # Short streams: the browser reconnects with Last-Event-ID on the way, as in real life.
    settings.MISTO_SITUATION_STREAM_SECONDS = 8
    contexts: list = []
    try:
        run_scenario(live_server, browser, contexts, through_the_outbox)
    finally:
        for context in contexts:
            context.close()


def mqtt_ready() -> bool:
    import socket

    from misto.core.registry import is_enabled

    if not is_enabled("iot"):
        return False
    try:
        socket.create_connection(("127.0.0.1", 1883), 2).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not mqtt_ready(), reason="needs the iot module and Mosquitto on :1883")
def test_the_same_with_the_reading_published_over_mqtt(live_server, browser, settings):
    """The reading goes the whole way: MQTT -> the iot consumer -> its threshold rule ->
    iot.ReadingOutOfRange -> this module (iot's own registry, demo rules and consumer)."""
    import json
    import threading
    import uuid
    from datetime import UTC, datetime

    from misto.iot.conf import MqttSettings
    from misto.iot.demo import ensure_catalogue
    from misto.iot.ingest import reset_directory
    from misto.iot.mqtt import Consumer, new_client
    from misto.iot.rules import reset_rule_index
    from misto.iot.services import register_device

    settings.MISTO_SITUATION_STREAM_SECONDS = 8
    reset_directory()
    reset_rule_index()
    ensure_catalogue()  # the water meter's rule: pressure below 1.5 bar is critical
    register_device("water-sh1", "Лічильник Шевченка", "water-meter",
                    lon=ON_SHEVCHENKA[0], lat=ON_SHEVCHENKA[1])
    tenant = f"t{uuid.uuid4().hex[:10]}"
    stop = threading.Event()
    consumer = Consumer(MqttSettings(host="127.0.0.1", port=1883, tls=False, username=None,
                                     password=None, tenant=tenant, group=tenant,
                                     client_id=f"misto-sit-{tenant}", session_expiry=60))
    thread = threading.Thread(target=consumer.run, args=(stop,), daemon=True)
    thread.start()
    assert consumer.connected.wait(10)
    publisher = new_client(f"misto-sit-pub-{tenant}")
    publisher.connect("127.0.0.1", 1883)
    publisher.loop_start()

    def over_mqtt() -> str:
        body = {"ts": datetime.now(UTC).isoformat(), "values": {"pressure": 0.6}}
        publisher.publish(f"misto/{tenant}/devices/water-sh1/readings",
                          json.dumps(body).encode(), qos=1).wait_for_publish(10)
        return "water-sh1:pressure"

    contexts: list = []
    try:
        run_scenario(live_server, browser, contexts, over_mqtt)
    finally:
        for context in contexts:
            context.close()
        publisher.loop_stop()
        publisher.disconnect()
        stop.set()
        thread.join(10)
        reset_directory()
        reset_rule_index()
        release_other_sessions()


def run_scenario(live_server, browser, contexts, send_reading) -> None:
    build_city()
    people = make_people()
    base = live_server.url

    # The dispatcher's dashboard, open and connected to the live stream.
    dispatch_ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="uk-UA")
    contexts.append(dispatch_ctx)
    page = sign_in(dispatch_ctx, base, "dispatcher", "pw-dispatch-123")
    page.goto(base + "/situation/dashboard/")
    page.wait_for_function("() => window.situation && window.situation.connected", timeout=15000)
    assert page.locator("[data-figure=open]").inner_text() == "0"
    page.evaluate("() => { window.__sameDocument = 'yes'; }")

    # A pressure reading over its threshold, then a citizen's report 60 m along the street.
    sensor_source = send_reading()
    page.wait_for_selector("#incident-list li[data-incident]", timeout=20000)
    publish_raw("reports.ReportCreated", report_payload(9001, *ON_SHEVCHENKA_60M))
    page.wait_for_selector('#incident-list li[data-sources="2"]', timeout=15000)

    assert page.evaluate("() => window.__sameDocument") == "yes"  # no reload happened
    assert page.locator("#incident-list li[data-incident]").count() == 1
    on_map = page.evaluate("() => window.situation.mapData.incidents.features.map("
                           "f => [f.properties.id, f.properties.sources.length])")
    incident = Incident.objects.get()
    assert on_map == [[incident.pk, 2]]
    assert incident.sources == [{"module": "iot", "id": sensor_source},
                                {"module": "reports", "id": "9001"}]
    page.wait_for_function(
        "() => document.querySelector('[data-figure=open]').textContent.trim() === '1'",
        timeout=15000)
    assert axe_violations(page) == []
    screenshot(page, f"situation-dashboard-live-{send_reading.__name__}")

    # The dispatcher assigns it to the crew.
    page.locator(f'#incident-list li[data-incident="{incident.pk}"] a').click()
    page.wait_for_url(f"**/situation/incidents/{incident.pk}/")
    page.locator("#a-crew").select_option(label=f"{people.crew.name} (water)")
    page.locator("form[action$='/assign/'] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("[data-field=status]").get_attribute("data-status") == "assigned"
    assert page.locator("[data-field=crew]").inner_text() == people.crew.name
    assert axe_violations(page) == []
    screenshot(page, "situation-incident-assigned")

    # The crew's phone page shows it, with the place; the crew resolves it with a photo.
    crew_ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="uk-UA")
    contexts.append(crew_ctx)
    phone = sign_in(crew_ctx, base, "crewman", "pw-crew-123")
    phone.goto(base + "/situation/tasks/")
    task = phone.locator(f'#task-list li[data-incident="{incident.pk}"]')
    assert task.count() == 1
    assert axe_violations(phone) == []
    screenshot(phone, "situation-crew-tasks")
    task.locator("a").click()
    phone.wait_for_url(f"**/situation/tasks/{incident.pk}/")
    incident.refresh_from_db()
    assert phone.locator("[data-field=landmark]").inner_text() == incident.landmark
    assert phone.locator("[data-field=address]").inner_text().startswith("Шевченка")
    phone.locator("#s-status").select_option("resolved")
    phone.locator("#s-note").fill("Замінили засувку, тиск у нормі")
    phone.locator("#s-photo").set_input_files(
        files=[{"name": "done.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes()}])
    phone.locator("form[action$='/status/'] button[type=submit]").click()
    phone.wait_for_load_state()
    assert phone.locator("[data-field=status]").get_attribute("data-status") == "resolved"
    assert phone.locator("img.sit-photo").count() == 1
    assert axe_violations(phone) == []
    screenshot(phone, "situation-crew-resolved")

    incident.refresh_from_db()
    assert incident.status == Status.RESOLVED
    assert IncidentUpdate.objects.filter(incident=incident, status="resolved").exclude(
        photo="").exists()
    # The reporter is told through reports, which consumes this event (docs/events.md).
    resolved = OutboxEvent.objects.get(name="situation.IncidentResolved")
    assert {"module": "reports", "id": "9001"} in resolved.payload["sources"]
    assert resolved.payload["note"] == "Замінили засувку, тиск у нормі"

    # The dispatcher's map drops the resolved incident by itself.
    page.goto(base + "/situation/")
    page.wait_for_function("() => window.situation && window.situation.connected", timeout=15000)
    assert page.locator("#incident-list li[data-incident]").count() == 0
