"""A person opens a dataset with geometry on a phone (Ukrainian) and on a desktop (English):
the map previews its features over the twin's tiles, with no script error."""

from __future__ import annotations

from typing import Any

import pytest

from misto.opendata import services
from misto.testing import world
from misto.testing.maps import map_screenshot, wait_until_drawn

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
LOCALES = {"uk": "uk-UA", "en": "en-GB"}
HEADING = {"uk": "На мапі", "en": "On the map"}


@pytest.mark.parametrize(("device", "language"), [("phone", "uk"), ("desktop", "en")])
def test_a_dataset_with_geometry_is_previewed_on_a_map(live_server: Any, browser: Any,
                                                       device: str, language: str) -> None:
    world.build_city()
    services.regenerate(["districts"])
    context = browser.new_context(viewport=VIEWPORTS[device], locale=LOCALES[language])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/opendata/districts/")
    assert page.get_by_role("heading", name=HEADING[language]).is_visible()
    page.locator("#od-map").scroll_into_view_if_needed()
    wait_until_drawn(page, "window.opendataMap")
    drawn = page.evaluate("window.opendataMap.queryRenderedFeatures({layers: ['outlines']})"
                          ".length")
    assert drawn > 0
    map_screenshot(page, f"opendata-map-{device}-{language}")
    assert not errors, errors
    context.close()
