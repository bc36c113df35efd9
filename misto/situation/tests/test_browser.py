"""The issue's "done when", in Chromium: with the dashboard open, a sensor reading over its
threshold and a citizen's report in the same street appear as ONE incident on the map without
a reload; a dispatcher assigns it; the crew's phone page shows it; resolving it publishes
``situation.IncidentResolved`` naming the report, which the reports module turns into the
reporter's notification.

The reading and the report reach the situation centre as events through the core's outbox,
exactly as the iot and reports modules publish them (this test does not depend on those
modules or on an MQTT broker being there).
"""

from __future__ import annotations

import io

import pytest
from PIL import Image

from misto.core.models import OutboxEvent
from misto.core.tests.browser import axe_violations, browser, screenshot
from misto.situation.models import Incident, IncidentUpdate, Status
from misto.situation.tests.conftest import (
    ON_SHEVCHENKA,
    ON_SHEVCHENKA_60M,
    build_city,
    make_people,
    publish_raw,
    reading_payload,
    report_payload,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["browser"]  # fixture


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


def test_one_incident_live_then_dispatch_crew_and_resolve(live_server, browser, settings):
    # Short streams: the browser reconnects with Last-Event-ID on the way, as in real life.
    settings.MISTO_SITUATION_STREAM_SECONDS = 8
    contexts = []
    try:
        run_scenario(live_server, browser, contexts)
    finally:
        for context in contexts:
            context.close()


def run_scenario(live_server, browser, contexts):
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
    publish_raw("iot.ReadingOutOfRange", reading_payload("pressure-7", *ON_SHEVCHENKA))
    page.wait_for_selector("#incident-list li[data-incident]", timeout=15000)
    publish_raw("reports.ReportCreated", report_payload(9001, *ON_SHEVCHENKA_60M))
    page.wait_for_selector('#incident-list li[data-sources="2"]', timeout=15000)

    assert page.evaluate("() => window.__sameDocument") == "yes"  # no reload happened
    assert page.locator("#incident-list li[data-incident]").count() == 1
    on_map = page.evaluate("() => window.situation.mapData.incidents.features.map("
                           "f => [f.properties.id, f.properties.sources.length])")
    incident = Incident.objects.get()
    assert on_map == [[incident.pk, 2]]
    assert incident.sources == [{"module": "iot", "id": "pressure-7:water_pressure"},
                                {"module": "reports", "id": "9001"}]
    page.wait_for_function(
        "() => document.querySelector('[data-figure=open]').textContent.trim() === '1'",
        timeout=15000)
    assert axe_violations(page) == []
    screenshot(page, "situation-dashboard-live")

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
