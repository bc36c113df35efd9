"""Issue 15 item 5, in Chromium: the big screen fits a 1920x1080 wall without scrolling,
every category bar's label is whole, and axe finds nothing; the dashboard on a phone too.
In Ukrainian and English; the screenshots are in var/screenshots/."""

from __future__ import annotations

import pytest
from django.test import Client

from misto.core.tests.browser import axe_violations, screenshot
from misto.situation import services
from misto.situation.models import Incident, IncidentKind, Severity
from misto.situation.tests.conftest import (
    EAST_DISTRICT,
    WEST_DISTRICT,
    build_city,
    make_people,
    publish_raw,
    reading_payload,
    release_other_sessions,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def busy_city() -> None:
    """A busy day: incidents of every kind (the longest category names included) in both
    districts, alerting sensors, an emergency: more than fits unless the screen is laid out
    for it."""
    build_city()
    people = make_people()
    levels = list(Severity.values)
    for i, kind in enumerate(IncidentKind.objects.order_by("code")):
        for j in range(1 + i % 4):
            district = WEST_DISTRICT if (i + j) % 2 else EAST_DISTRICT
            Incident.objects.create(kind=kind, title=f"{kind.title_uk} {j}", district=district,
                                    district_name="Західний" if district == WEST_DISTRICT
                                    else "Східний", severity=levels[(i + j) % 3],
                                    lon=35.10 + 0.01 * i, lat=47.80 + 0.005 * j)
    services.store_map_json()
    for n in range(3):
        publish_raw("iot.ReadingOutOfRange", reading_payload(
            f"air-{n}", 35.15 + n / 100, 47.83, quantity="pm25", value=60 + n, threshold=35,
            severity="warning"))
    services.declare_emergency(people.dispatcher, title="Прорив тепломагістралі",
                               districts=[EAST_DISTRICT])


def signed_in(browser, live_server, *, width: int, height: int, language: str):
    client = Client()
    client.force_login(make_people_dispatcher())
    context = browser.new_context(viewport={"width": width, "height": height},
                                  locale="uk-UA" if language == "uk" else "en-GB")
    context.add_cookies([
        {"name": "sessionid", "value": client.cookies["sessionid"].value,
         "url": live_server.url},
        {"name": "django_language", "value": language, "url": live_server.url}])
    return context


def make_people_dispatcher():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="dispatcher")


SIDEWAYS_TABLES = """() => Array.from(document.querySelectorAll('.table-wrap')).filter(
    el => el.scrollWidth > el.clientWidth + 1).length"""
CUT_LABELS = """() => Array.from(document.querySelectorAll('.bar-label')).filter(
    el => el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1
).map(el => el.textContent)"""


@pytest.mark.parametrize("language", ["uk", "en"])
def test_big_screen_fits_the_wall_and_the_dashboard_a_phone(live_server, browser, language):
    busy_city()
    try:
        wall = signed_in(browser, live_server, width=1920, height=1080, language=language)
        page = wall.new_page()
        page.goto(live_server.url + "/situation/dashboard/?screen=1")
        page.wait_for_function("() => window.situation && window.situation.connected",
                               timeout=15000)
        assert page.locator("html").get_attribute("lang") == language
        screenshot(page, f"situation-big-screen-{language}")
        size = page.evaluate("() => [document.documentElement.scrollWidth, "
                             "document.documentElement.scrollHeight]")
        assert size[0] <= 1920 and size[1] <= 1080, size  # no scrolling on the wall
        titles = [kind.title_uk if language == "uk" else kind.title_en
                  for kind in IncidentKind.objects.all()]
        shown = page.locator(".bar-label").all_inner_texts()
        assert max(titles, key=len) in shown  # whole, not shortened
        assert page.evaluate(CUT_LABELS) == []
        assert page.evaluate(SIDEWAYS_TABLES) == 0  # nobody scrolls a wall's table either
        bottom = page.evaluate("() => document.querySelector('.sit-updated')"
                               ".getBoundingClientRect().bottom")
        assert bottom <= 1080
        assert axe_violations(page) == []
        wall.close()

        phone = signed_in(browser, live_server, width=390, height=844, language=language)
        page = phone.new_page()
        page.goto(live_server.url + "/situation/dashboard/")
        page.wait_for_function("() => window.situation && window.situation.connected",
                               timeout=15000)
        screenshot(page, f"situation-dashboard-phone-{language}")
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390, width  # nothing sideways but the tables' own scrolling
        assert page.evaluate(CUT_LABELS) == []
        assert axe_violations(page) == []
        phone.close()
    finally:
        release_other_sessions()
