"""A resident opens a stop and sees the next arrivals, live, with the bus's free seats; riders
validate their tickets and the seats go down, more board past the counter and they go down
again; the stop's board counts the minutes down; the live map shows the bus moving; the
dispatcher sees its route overloaded. (uk, phone) and (en, desktop)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import transaction

from misto.core import bus as event_bus
from misto.core import outbox
from misto.core.models import EventDelivery
from misto.testing import make_staff
from misto.testing.maps import map_screenshot, wait_until_drawn
from misto.testing.visit import Visit
from misto.transit.services import onboard, overload, positions
from misto.transit.tests.conftest import fix
from misto.wallet.events import RideValidated

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
LOCALES = {"uk": "uk-UA", "en": "en-GB"}
SEATS = {"uk": ("18 вільних місць", "13 вільних місць"), "en": ("18 free seats", "13 free seats")}
LIVE = {"uk": "наживо", "en": "live"}
OVERLOADED = {"uk": "так, з", "en": "yes, since"}


def _validations(validator: str, count: int) -> None:
    """Riders tap their cards: the wallet's events, delivered as the worker delivers them."""
    now = datetime.now(UTC)
    with transaction.atomic():
        ids = [event_bus.publish(RideValidated(validator=validator,
                                               at=(now - timedelta(seconds=n)).isoformat(),
                                               charged=1500, basis="fare"))
               for n in range(count)]
    for delivery in EventDelivery.objects.filter(event_id__in=ids,
                                                 handler="transit.on_ride_validated"):
        outbox.deliver(delivery.pk)


def _minutes(page: Any) -> int:
    text = page.locator(".tr-board tr.tr-live .tr-min, .tr-board .tr-live .tr-min").first \
        .inner_text()
    return 0 if not text.strip()[:1].isdigit() else int(text.strip().split()[0].rstrip("*"))


@pytest.mark.parametrize(("device", "language"), [("phone", "uk"), ("desktop", "en")])
def test_a_stop_shows_the_next_bus_and_its_free_seats(live_server: Any, browser: Any,
                                                      live_feed: Any, bus: Any, device: str,
                                                      language: str, monkeypatch: Any) -> None:
    _feed, left = live_feed
    vehicle, _key = bus
    onboard.do_link(vehicle, "validator", "val-7")
    positions.record(vehicle, fix(0.0, left))
    positions.record(vehicle, fix(0.2, left + timedelta(seconds=100)))
    _validations("val-7", 12)  # twelve riders tap in: no counter on this bus
    context = browser.new_context(viewport=VIEWPORTS[device], locale=LOCALES[language])
    context.add_cookies([{"name": "django_language", "value": language,
                          "url": live_server.url}])
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

    # The stop's board: the bus live, minutes to go.
    page.goto(f"{live_server.url}/transit/board/103")
    before = _minutes(page)
    assert before >= 1

    # Five more board at the next stop: the counter says so, the stop page follows.
    positions.record(vehicle, fix(0.25, left + timedelta(seconds=130), boarded=5))
    page.goto(f"{live_server.url}/transit/stops/103/")
    assert SEATS[language][1] in page.locator(".tr-arrival").first.locator(
        ".tr-seats").inner_text()

    page.goto(f"{live_server.url}/transit/")
    page.wait_for_selector("#tr-vehicle-rows tr[data-vehicle='bus-7']")
    wait_until_drawn(page, "window.transitMap")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    map_screenshot(page, f"transit-live-{device}-{language}")

    # The bus goes on and nears the stop: the board counts down.
    positions.record(vehicle, fix(0.45, left + timedelta(seconds=150)))
    page.goto(f"{live_server.url}/transit/board/103")
    assert _minutes(page) < before
    assert errors == []
    context.close()

    # 17 aboard of 80 is 21 %: over a threshold of 20 for five minutes, the route is
    # overloaded and the dispatcher sees it.
    monkeypatch.setenv("MISTO_TRANSIT_OVERLOAD_PERCENT", "20")
    monkeypatch.setenv("MISTO_TRANSIT_OVERLOAD_MINUTES", "0")
    assert [e.route_id for e in overload.watch()] == ["R1"]
    visit = Visit(browser, live_server, make_staff("disp", "dispatcher"), language, device,
                  prefix="transit")
    dispatch = visit.goto("/transit/dispatch/")
    assert OVERLOADED[language] in dispatch.locator("tr.tr-overloaded").first.inner_text()
    visit.check("dispatch-overloaded")
    visit.close()
