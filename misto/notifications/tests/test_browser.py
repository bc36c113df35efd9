"""The issue's "done when": a planned water outage drawn over three streets reaches exactly
the subscribed residents of the buildings inside, in their inbox and by e-mail (a real SMTP
server on loopback), and shows on the public outage map."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from misto.core.tests.browser import axe_violations
from misto.notifications import channels, services
from misto.notifications.tests.conftest import OUTAGE_BBOX, finish_fanout, outage_draft

SHOTS = Path("/tmp/notifications-shots")


def session_cookie(user, live_server) -> dict[str, str]:
    client = Client()
    client.force_login(user)
    return {"name": django_settings.SESSION_COOKIE_NAME,
            "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
            "url": live_server.url}


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_water_outage_reaches_the_residents_inside_and_shows_on_the_map(
        live_server, browser, city, make_resident, staff, smtp_server):
    SHOTS.mkdir(exist_ok=True)
    inside = [make_resident(city.points[key]) for key in city.inside]
    outside = [make_resident(city.points[key]) for key in city.points if key not in city.inside]
    unsubscribed_inside = make_resident(city.points[city.inside[0]], topics=())

    # Staff draw the area over the three streets (here as the API/service would get it).
    announcement = services.compose(staff(), outage_draft(city))
    assert announcement.building_count == 9
    finish_fanout(announcement.pk)  # what the worker's runner does
    while channels.deliver_due():
        pass

    # E-mail: exactly the residents inside, once each.
    for resident in inside:
        assert len(smtp_server.to(resident.email)) == 1, resident.email
    for resident in [*outside, unsubscribed_inside]:
        assert not smtp_server.to(resident.email), resident.email

    errors: list[str] = []
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="uk-UA")
    context.add_cookies([session_cookie(inside[0], live_server)])
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # The inbox of a resident inside.
    page.goto(f"{live_server.url}/notices/inbox/")
    item = page.locator("#inbox li.notice").first
    assert "Відключення води" in item.inner_text()
    assert page.locator("#inbox li.notice").count() == 1
    assert not axe_violations(page)
    page.screenshot(path=str(SHOTS / "inbox.png"), full_page=True)
    context.close()

    # Somebody outside has an empty inbox.
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="uk-UA")
    context.add_cookies([session_cookie(outside[0], live_server)])
    page = context.new_page()
    page.goto(f"{live_server.url}/notices/inbox/")
    assert page.locator("#inbox li.notice").count() == 0
    assert "Відключення води" not in page.locator("#inbox").inner_text()
    context.close()

    # The public outage map, anonymous.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="uk-UA")
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/notices/")
    page.wait_for_selector("#notices-map[data-loaded='1']", timeout=20_000)
    page.wait_for_function(
        "() => window.noticesMap.loaded() && "
        "window.noticesMap.queryRenderedFeatures({layers: ['outage-fill']}).length > 0",
        timeout=20_000)
    drawn = page.evaluate(
        "() => window.noticesMap.queryRenderedFeatures({layers: ['outage-fill']})"
        ".map(f => f.properties.outage_type)")
    assert set(drawn) == {"water"}
    bounds = page.evaluate("() => window.noticesMap.getBounds().toArray()")
    west, south, east, north = OUTAGE_BBOX
    assert bounds[0][0] <= west and bounds[1][0] >= east
    assert bounds[0][1] <= south and bounds[1][1] >= north
    assert "Відключення води" in page.inner_text("#outage-list")
    page.wait_for_timeout(500)
    page.screenshot(path=str(SHOTS / "outage-map.png"), full_page=True)
    assert not axe_violations(page)
    assert not errors, errors
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_draw_an_outage_on_the_compose_map(
        live_server, browser, city, make_resident, staff):
    from misto.notifications.models import Announcement

    resident = make_resident(city.points[city.inside[4]])
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="uk-UA")
    context.add_cookies([session_cookie(staff(), live_server)])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/notices/compose/")
    page.wait_for_function("() => window.noticesMap && window.noticesMap.loaded()",
                           timeout=20_000)
    page.evaluate("() => window.noticesMap.jumpTo({center: [35.125, 47.842], zoom: 14})")
    page.wait_for_function("() => window.noticesMap.loaded()", timeout=20_000)
    page.locator("#notices-map").scroll_into_view_if_needed()
    box = page.locator("#notices-map").bounding_box()
    west, south, east, north = OUTAGE_BBOX
    for lon, lat in [(west, south), (east, south), (east, north), (west, north)]:
        x, y = page.evaluate("([lon, lat]) => { const p = window.noticesMap.project([lon, lat]);"
                             " return [p.x, p.y]; }", [lon, lat])
        page.mouse.click(box["x"] + x, box["y"] + y)
    page.click("#draw-finish")
    assert "Polygon" in page.input_value("#id_area")
    page.select_option("#id_kind", "outage")
    page.select_option("#id_outage_type", "water")
    page.fill("#id_title_uk", "Вода: ремонт")
    page.check("input[name='topics'][value='housing']")
    page.check("input[name='target'][value='area']")
    page.fill("#id_starts_at", "2030-05-01T08:00")
    page.fill("#id_ends_at", "2030-05-01T18:00")
    page.locator("form.compose-form button[type='submit']").click()
    page.wait_for_url("**/notices/*/", timeout=20_000)
    page.screenshot(path=str(SHOTS / "composed.png"), full_page=True)
    row = Announcement.objects.get(title_uk="Вода: ремонт")
    assert row.status == "published" and row.building_count == 9
    finish_fanout(row.pk)
    assert row.messages.filter(user=resident).exists()
    assert not errors, errors
    context.close()
