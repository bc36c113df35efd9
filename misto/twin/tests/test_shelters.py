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


# -- shelters first: the nearest open ones by walking route, the keeper's status page ----------


@pytest.fixture
def routed(shelters):
    """Shelters with statuses: № 10 (beside landmark "a") is closed tonight."""
    layer = services.get_layer(builtin.SHELTERS)
    for feature in layer.features.all():
        status = "closed" if feature.name == "Укриття № 10" else "open"
        services.change_feature(feature.pk, properties={**feature.properties, "status": status})
    return shelters


def test_nearest_open_shelter_by_landmark_number_with_route(client, routed) -> None:
    number = routed.landmarks["a"].number
    response = client.get("/map/shelters/", {"q": number}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    nearest = response.context["nearest"]
    assert nearest["place"]["label"] == f"Landmark {number}"
    # № 10 is 15 m away but closed: the walk is to № 2, along Шевченка.
    assert [row["name"] for row in nearest["shelters"]] == ["Shelter No. 2"]
    best = nearest["shelters"][0]
    assert [step["name"] for step in best["steps"]] == ["Шевченка"]
    assert best["route"]["geometry"]["type"] == "LineString"
    assert 2200 < best["distance_m"] < 2400
    html = response.content.decode()
    assert "When the alert sounds" in html and "min on foot" in html


def test_nearest_from_gps_and_from_an_address(client, routed) -> None:
    by_gps = client.get("/map/shelters/", {"lon": "35.158", "lat": "47.8201"})
    assert by_gps.context["nearest"]["shelters"][0]["name"] == "Укриття № 2"
    by_address = client.get("/map/shelters/", {"q": "Шевченка 12"})
    assert by_address.status_code == 200
    assert by_address.context["nearest"]["shelters"][0]["name"] == "Укриття № 2"


@pytest.mark.parametrize(("params", "says"), [
    ({"q": "99-9999"}, "Nothing called"),
    ({"lon": "35.25", "lat": "47.82"}, "outside the city"),
    ({"lon": "47.82", "lat": "35.13"}, "outside the city"),  # swapped
    ({"lon": "nan", "lat": "47.82"}, "finite numbers"),
    ({"q": "   "}, ""),  # nothing asked: the plain list
])
def test_bad_places_are_refused_with_a_reason(client, routed, params, says) -> None:
    response = client.get("/map/shelters/", params, HTTP_ACCEPT_LANGUAGE="en")
    if says:
        assert response.status_code == 400
        assert says in response.context["error"]
    else:
        assert response.status_code == 200 and response.context["nearest"] is None


def test_the_keeper_opens_and_closes_a_shelter_from_a_phone(client, routed) -> None:
    from misto.testing import make_staff

    layer = services.get_layer(builtin.SHELTERS)
    shelter = layer.features.get(name="Укриття № 10")
    keeper = make_staff("keeper", "clerk", department=layer.owner_department)
    other = make_staff("other-clerk", "clerk", department="roads")
    url = f"/map/shelters/{shelter.pk}/status/"
    assert client.get(url).status_code == 302  # to the sign-in
    client.force_login(other)
    assert client.post(url, {"status": "open"}).status_code == 404
    client.force_login(keeper)
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="en").status_code == 200
    bad = client.post(url, {"status": "ajar"}, HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 400 and "open, closed or unknown" in bad.context["error"]
    shelter.refresh_from_db()
    assert shelter.properties["status"] == "closed"
    assert client.post(url, {"status": "open"}).status_code == 302
    shelter.refresh_from_db()
    assert shelter.properties["status"] == "open" and shelter.changed_by == keeper
    # Open now: from landmark "a" the nearest open shelter is № 10 itself.
    found = client.get("/map/shelters/", {"q": routed.landmarks["a"].number})
    assert found.context["nearest"]["shelters"][0]["name"] == "Укриття № 10"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["uk", "en"])
def test_resident_walks_to_the_nearest_open_shelter_from_a_landmark(live_server, browser,
                                                                    language) -> None:
    """The issue's "done when": on a phone, from a landmark number, the nearest open shelter
    with the walking route on the map and the instructions; offline after one visit."""
    from misto.twin import demo

    demo.load()
    number = "12-0457"
    place = services.landmark_location(number)
    assert place is not None
    expected = services.nearest_by_route((place.lon, place.lat), builtin.SHELTERS, n=3,
                                         where={"status": "open"})[0]
    context = browser.new_context(viewport={"width": 390, "height": 844},
                                  locale="uk-UA" if language == "uk" else "en-GB")
    context.add_cookies([{"name": "django_language", "value": language,
                          "url": live_server.url}])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server.url + "/map/shelters/")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null",
                           timeout=20_000)
    page.fill("#shelter-q", number)
    page.press("#shelter-q", "Enter")
    page.wait_for_selector("#shelter-map[data-ready='1']", timeout=20_000)
    best = page.locator(".shelter-best")
    assert expected.feature.name in best.locator("h3").inner_text()
    walk = best.locator(".shelter-walk").inner_text()
    assert ("хв пішки" if language == "uk" else "min on foot") in walk
    assert best.locator(".shelter-steps li").count() >= 2
    assert page.locator("#shelter-instructions").is_visible()
    page.wait_for_timeout(1200)  # tiles and labels
    # The route is drawn: the best one's line is on the screen.
    drawn = page.evaluate(
        "() => window.shelterMap.queryRenderedFeatures({layers: ['route-best']}).length")
    assert drawn >= 1
    screenshot(page, f"shelters-route-phone-{language}")
    assert axe_violations(page) == []

    context.set_offline(True)
    page.reload()
    assert page.locator(".shelter-saved").is_visible()
    assert expected.feature.name in page.locator(".shelter-best h3").inner_text()
    assert page.locator(".shelter-best .shelter-steps li").count() >= 2
    assert page.locator("#shelter-instructions").is_visible()
    # The saved route is drawn even without tiles.
    page.wait_for_function(
        "() => window.shelterMap && window.shelterMap.loaded() &&"
        " window.shelterMap.queryRenderedFeatures({layers: ['route-best']}).length > 0",
        timeout=15_000)
    screenshot(page, f"shelters-route-offline-{language}")
    context.set_offline(False)
    assert errors == []
    context.close()
