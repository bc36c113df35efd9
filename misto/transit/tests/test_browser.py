"""A resident opens a stop and sees the next arrivals, live, with the bus's free seats; more
passengers board and the seats go down; the live map shows the bus. (uk, phone) and
(en, desktop)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from misto.testing.maps import map_screenshot, wait_until_drawn
from misto.transit.services import positions
from misto.transit.tests.conftest import fix

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
LOCALES = {"uk": "uk-UA", "en": "en-GB"}
SEATS = {"uk": ("18 вільних місць", "13 вільних місць"), "en": ("18 free seats", "13 free seats")}
LIVE = {"uk": "наживо", "en": "live"}


@pytest.mark.parametrize(("device", "language"), [("phone", "uk"), ("desktop", "en")])
def test_a_stop_shows_the_next_bus_and_its_free_seats(live_server: Any, browser: Any,
                                                      live_feed: Any, bus: Any, device: str,
                                                      language: str) -> None:
    _feed, left = live_feed
    vehicle, _key = bus
    positions.record(vehicle, fix(0.0, left, passengers=12))
    positions.record(vehicle, fix(0.2, left + timedelta(seconds=100)))
    context = browser.new_context(viewport=VIEWPORTS[device], locale=LOCALES[language])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(f"{live_server.url}/transit/stops/103/")
    first = page.locator(".tr-arrival").first
    assert first.locator(".tr-route").inner_text() == "7"
    assert first.locator(".tr-badge-live").inner_text() == LIVE[language]
    assert SEATS[language][0] in first.locator(".tr-seats").inner_text()
    width = page.evaluate("document.documentElement.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    # Five more board at the next stop: the counter says so, the stop page follows.
    positions.record(vehicle, fix(0.25, left + timedelta(seconds=130), boarded=5))
    page.reload()
    assert SEATS[language][1] in page.locator(".tr-arrival").first.locator(
        ".tr-seats").inner_text()

    page.goto(f"{live_server.url}/transit/")
    page.wait_for_selector("#tr-vehicle-rows tr[data-vehicle='bus-7']")
    wait_until_drawn(page, "window.transitMap")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    map_screenshot(page, f"transit-live-{device}-{language}")
    assert errors == []
    context.close()
