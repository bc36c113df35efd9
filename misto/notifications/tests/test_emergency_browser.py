"""The issue's "done when" for emergencies, in a browser: the dispatcher declares an emergency
over an area in the situation centre; the banner appears on the public home page (Ukrainian
and English) without covering it on a phone; the emergency page shows the area and the
nearest shelters; the residents inside get the urgent message through their quiet hours;
the dispatcher ends it, the end is announced once and the banner is gone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from misto.core.tests.browser import SCREENSHOTS, axe_violations, screenshot
from misto.notifications import channels
from misto.notifications.models import Announcement
from misto.notifications.tests.conftest import finish_fanout
from misto.testing import make_staff

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

TITLE = "Порив тепломагістралі на Шевченка"
PHONE = {"width": 390, "height": 844}


def session_cookie(user: Any, live_server: Any) -> dict[str, str]:
    client = Client()
    client.force_login(user)
    return {"name": django_settings.SESSION_COOKIE_NAME,
            "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
            "url": live_server.url}


def run_the_runner() -> None:
    """What the worker's runner does between two looks at the inbox."""
    for announcement_id in Announcement.objects.values_list("pk", flat=True):
        finish_fanout(announcement_id)
    while channels.deliver_due():
        pass


def banner_stays_in_the_flow(page: Any) -> None:
    """On a phone the banner pushes the page down; it never lies over it."""
    layout = page.evaluate("""() => {
        const banner = document.querySelector('.site-banners').getBoundingClientRect();
        const main = document.querySelector('main').getBoundingClientRect();
        return {position: getComputedStyle(document.querySelector('.site-banners')).position,
                bannerBottom: banner.bottom, mainTop: main.top, bannerHeight: banner.height,
                width: document.documentElement.scrollWidth};
    }""")
    assert layout["position"] == "static", layout
    assert layout["mainTop"] >= layout["bannerBottom"], layout
    assert layout["bannerHeight"] < PHONE["height"] / 4, layout
    assert layout["width"] <= PHONE["width"], layout


def test_dispatcher_declares_an_emergency_and_the_city_sees_and_hears_it(
        live_server, browser, city, shelters, make_resident, smtp_server) -> None:
    now = timezone.localtime()
    quiet = {"quiet_start": (now - timedelta(hours=1)).time().replace(second=0, microsecond=0),
             "quiet_end": (now + timedelta(hours=1)).time().replace(second=0, microsecond=0)}
    inside = [make_resident(city.points[key], **quiet) for key in city.inside[:3]]
    outside = make_resident(city.points[next(k for k in city.points if k not in city.inside)])
    dispatcher = make_staff("dispatcher", "dispatcher", email="dispatch@city.test")
    errors: list[str] = []

    # The dispatcher declares it over the area in the situation centre.
    staff = browser.new_context(viewport={"width": 1280, "height": 900}, locale="uk-UA")
    staff.add_cookies([session_cookie(dispatcher, live_server)])
    desk = staff.new_page()
    desk.on("pageerror", lambda exc: errors.append(str(exc)))
    desk.goto(f"{live_server.url}/situation/emergencies/")
    desk.fill("#e-title", TITLE)
    desk.select_option("#e-kind", "heating")
    desk.fill("#e-area", city.outage_area.geojson)
    desk.get_by_role("button", name="Оголосити").click()
    desk.wait_for_url("**/situation/emergencies/*/")
    emergency_id = int(desk.url.rstrip("/").rsplit("/", 1)[-1])

    # The public home page, on a phone, in Ukrainian: the banner, in the page flow.
    public = browser.new_context(viewport=PHONE, locale="uk-UA")
    page = public.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/")
    banner = page.locator(".site-banners")
    assert f"Надзвичайна ситуація: {TITLE}" in banner.inner_text()
    banner_stays_in_the_flow(page)
    screenshot(page, "emergency-banner-phone-uk")
    page.screenshot(path=str(SCREENSHOTS / "emergency-banner-phone-uk-viewport.png"))
    assert not axe_violations(page)

    # ... and in English.
    page.locator("form.lang-switch button[value='en']").click()
    page.wait_for_load_state()
    assert f"Emergency: {TITLE}" in banner.inner_text()
    assert banner.get_by_role("link").inner_text() == "What to do and the nearest shelters"
    banner_stays_in_the_flow(page)
    screenshot(page, "emergency-banner-phone-en")

    # The emergency page: the area on the map, the nearest shelters (inside first), what to do.
    banner.get_by_role("link").click()
    page.wait_for_url(f"**/notices/emergency/{emergency_id}/")
    page.wait_for_selector("#notices-map[data-loaded='1']", timeout=20_000)
    page.wait_for_function(
        "() => window.noticesMap.loaded() && "
        "window.noticesMap.queryRenderedFeatures({layers: ['outage-fill']}).length > 0 && "
        "window.noticesMap.queryRenderedFeatures({layers: ['shelters']}).length > 0",
        timeout=20_000)
    listed = page.locator("#shelters li").all_inner_texts()
    assert [name for name in shelters if any(name in line for line in listed)] == shelters
    assert [line.split(" —")[0].strip() for line in listed] == shelters
    assert "inside the area" in listed[0]
    assert "gas stove" in page.locator(".instructions").inner_text()
    page.wait_for_timeout(300)
    screenshot(page, "emergency-page-phone-en")
    assert not axe_violations(page)

    # The residents inside hear of it at once, through their quiet hours; nobody else does.
    run_the_runner()
    for resident in inside:
        assert len(smtp_server.to(resident.email)) == 1, resident.email
    assert not smtp_server.to(outside.email)

    # The dispatcher ends it: announced once, the same way; the banner is gone.
    desk.goto(f"{live_server.url}/situation/emergencies/{emergency_id}/")
    desk.get_by_role("button", name="Завершити надзвичайну ситуацію").click()
    desk.wait_for_load_state()
    run_the_runner()
    run_the_runner()
    for resident in inside:
        assert len(smtp_server.to(resident.email)) == 2, resident.email
    assert not smtp_server.to(outside.email)
    page.goto(f"{live_server.url}/")
    assert page.locator(".site-banners").count() == 0
    page.goto(f"{live_server.url}/notices/emergency/{emergency_id}/")
    assert page.locator("[data-active='0']").count() == 1
    assert "Over" in page.locator(".emergency-status").inner_text()
    assert not errors, errors
    staff.close()
    public.close()
