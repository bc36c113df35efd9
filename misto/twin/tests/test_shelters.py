"""The public list of shelters: name, address and a landmark number, and it works offline."""

from __future__ import annotations

import pytest
from django.contrib.gis.geos import Point

from misto.core.tests.browser import axe_violations, screenshot
from misto.twin import builtin, services
from misto.twin.models import Visibility


def add_shelter(name: str, lon: float, lat: float, **props: object) -> None:
    services.create_feature(services.get_layer(builtin.SHELTERS), Point(lon, lat, srid=4326),
                            {"name": name, "capacity": 120, "kind": "dual_use", **props})


@pytest.fixture
def shelters(tiny_city):
    # Beside landmark "a" (12-0001) and address Шевченка 1; the other has its own address.
    add_shelter("Укриття № 10", 35.1301, 47.8201, accessible=True, hours="цілодобово")
    add_shelter("Укриття № 2", 35.1599, 47.8199, address="вул. Шевченка, 12",
                name_en="Shelter No. 2")
    return tiny_city


def test_shelters_page_lists_name_address_and_landmark_number(client, shelters) -> None:
    response = client.get("/map/shelters/", HTTP_ACCEPT_LANGUAGE="uk")
    assert response.status_code == 200
    html = response.content.decode()
    # Natural order: № 2 before № 10.
    assert html.index("Укриття № 2") < html.index("Укриття № 10")
    assert "Шевченка, 1" in html  # the nearest address point
    assert "вул. Шевченка, 12" in html  # the shelter's own address wins
    assert shelters.landmarks["a"].number in html
    assert shelters.landmarks["d"].number in html
    assert "цілодобово" in html


def test_shelters_page_in_english_uses_the_english_name(client, shelters) -> None:
    html = client.get("/map/shelters/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Shelter No. 2" in html
    assert "dual-use shelter" in html


def test_staff_only_shelters_layer_is_not_shown_to_the_public(client, shelters) -> None:
    layer = services.get_layer(builtin.SHELTERS)
    layer.visibility = Visibility.STAFF
    layer.save()
    assert client.get("/map/shelters/").status_code == 404


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_shelters_page_loads_offline_after_one_visit(live_server, browser, shelters) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="uk-UA")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server.url + "/map/shelters/")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null",
                           timeout=20_000)
    assert axe_violations(page) == []
    screenshot(page, "shelters-phone-uk")

    context.set_offline(True)
    page.reload()
    assert page.locator("h1").inner_text() == "Укриття"
    assert page.get_by_text("Укриття № 10").is_visible()
    assert page.get_by_text(shelters.landmarks["a"].number).first.is_visible()
    # The shell came from the cache too: the page is styled and the menu still works.
    assert page.locator(".menu-toggle").is_visible()
    # A page never kept shows the offline page with the way to the shelters.
    page.goto(live_server.url + "/reports/queue/")
    assert page.get_by_role("link", name="Укриття").first.is_visible()
    assert page.locator("h1").inner_text() == "Немає з’єднання з мережею"
    assert axe_violations(page) == []
    screenshot(page, "offline-phone-uk")
    context.set_offline(False)
    assert errors == []
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_shelters_page_in_english_at_desktop_size(live_server, browser, shelters) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="en-GB")
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    page.goto(live_server.url + "/map/shelters/")
    assert page.locator("h1").inner_text() == "Shelters"
    assert axe_violations(page) == []
    screenshot(page, "shelters-desktop-en")
    context.close()
