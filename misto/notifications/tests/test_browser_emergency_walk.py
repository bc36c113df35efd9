"""The residents' emergency page in a browser: from the number on a pole, the nearest open
shelter on foot, its route drawn on the map beside the area (phone in Ukrainian, desktop
in English)."""

from __future__ import annotations

import pytest

from misto.notifications.tests.conftest import deliver_event
from misto.notifications.tests.test_emergency import declared
from misto.testing.maps import map_screenshot, wait_until_drawn
from misto.twin import builtin
from misto.twin import services as twin
from misto.twin.models import Feature

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("device", "language"), [("phone", "uk"), ("desktop", "en")])
def test_from_a_pole_number_to_the_nearest_open_shelter_on_foot(live_server, browser, city,
                                                                shelters, device, language):
    feature = Feature.objects.get(layer__code=builtin.SHELTERS, name="Укриття № 1",
                                  retired_at=None)
    twin.change_feature(feature.pk, properties={**feature.properties, "status": "open"})
    deliver_event("situation.EmergencyDeclared", declared(city))
    number = Feature.objects.filter(layer__code=builtin.LANDMARKS, number__gt="").values_list(
        "number", flat=True).first()
    viewport = {"width": 390, "height": 844} if device == "phone" else {"width": 1280,
                                                                       "height": 900}
    context = browser.new_context(viewport=viewport,
                                  locale={"uk": "uk-UA", "en": "en-GB"}[language])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/notices/emergency/41/")
    page.locator("#walk-q").fill(number)
    page.locator("#walk-q").press("Enter")
    page.wait_for_selector("#walks li")
    assert "Укриття № 1" in page.locator("#walks").inner_text()
    page.wait_for_selector("#notices-map[data-loaded='1']", timeout=20_000)
    wait_until_drawn(page, "window.noticesMap", 20_000)
    page.wait_for_function(
        "() => window.noticesMap.queryRenderedFeatures({ layers: ['walks'] }).length > 0",
        timeout=20_000)
    page.locator("#notices-map").scroll_into_view_if_needed()
    map_screenshot(page, f"emergency-walk-{device}-{language}")
    assert errors == []
    context.close()
