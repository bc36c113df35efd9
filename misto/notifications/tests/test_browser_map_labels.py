"""Issue 15, item 1 on the outage maps: an outage area carries its title, over streets and
districts that carry their names, on the public notices map (phone and desktop, Ukrainian and
English) and on the situation centre's live map."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from misto.core.outbox import deliver_due
from misto.core.registry import is_enabled
from misto.notifications import services
from misto.testing import make_staff
from misto.testing.maps import GlyphRequests, map_screenshot, placed_labels
from misto.twin import demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A block of the demo city, in the Central district.
AREA = {"type": "Polygon", "coordinates": [[[35.160, 47.852], [35.172, 47.852], [35.172, 47.860],
                                            [35.160, 47.860], [35.160, 47.852]]]}
TITLES = {"uk": "Відключення води на Європейській", "en": "Water outage on Yevropeiska"}


def water_outage() -> None:
    services.ensure_default_topics()
    now = timezone.now()
    services.compose(make_staff("vodokanal", "clerk"), services.Draft(
        kind="outage", outage_type="water", topics=["housing"], target="area", area=AREA,
        title_uk=TITLES["uk"], title_en=TITLES["en"], body_uk="Ремонт водогону.",
        body_en="Repairs to the main.", starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=8)))
    deliver_due()  # the situation centre hears of it as the worker would tell it


@pytest.mark.parametrize(("device", "language"), [("phone", "uk"), ("desktop", "en")])
def test_the_outage_map_names_the_outage_and_the_streets_around_it(live_server, browser, device,
                                                                   language):
    demo.load()
    water_outage()
    viewport = {"width": 390, "height": 844} if device == "phone" else {"width": 1280,
                                                                       "height": 900}
    locale = {"uk": "uk-UA", "en": "en-GB"}[language]
    context = browser.new_context(viewport=viewport, locale=locale)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    glyphs = GlyphRequests(page)
    page.goto(f"{live_server.url}/notices/")
    page.wait_for_selector("#notices-map[data-loaded='1']", timeout=20_000)
    page.locator("#notices-map").scroll_into_view_if_needed()
    labels = placed_labels(page, "window.noticesMap", ("outage-label", "label-streets"))
    assert labels.get("outage-label") == {TITLES[language]}, labels
    assert labels.get("label-streets"), labels
    map_screenshot(page, f"notices-outage-labels-{device}-{language}")
    glyphs.check()
    assert errors == []
    context.close()


@pytest.mark.skipif(not is_enabled("situation"), reason="the situation centre is switched off")
def test_the_live_map_names_the_outage_and_the_districts(live_server, browser):
    demo.load()
    water_outage()
    dispatcher = make_staff("dyspetcher", "dispatcher")
    client = Client()
    client.force_login(dispatcher)
    name = django_settings.SESSION_COOKIE_NAME
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="uk-UA")
    context.add_cookies([{"name": name, "value": client.cookies[name].value,
                          "url": live_server.url}])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    glyphs = GlyphRequests(page)
    page.goto(f"{live_server.url}/situation/")
    page.wait_for_function("() => window.situation && window.situation.map", timeout=20_000)
    labels = placed_labels(page, "window.situation.map", ("label-districts", "outages-label"))
    assert labels.get("label-districts"), labels
    page.wait_for_function(
        "() => window.situation.map.queryRenderedFeatures({layers: ['outages-label']}).length",
        timeout=20_000)
    labels = placed_labels(page, "window.situation.map", ("outages-label",))
    assert labels["outages-label"] == {TITLES["uk"]}, labels
    page.locator("#situation-map").scroll_into_view_if_needed()
    map_screenshot(page, "situation-live-map-labels-desktop-uk")
    glyphs.check()
    assert errors == []
    context.close()
