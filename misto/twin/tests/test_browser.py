"""The issue's "done when": a resident finds a landmark by its number, and a click anywhere
tells the district, the nearest address and the nearest landmarks."""

import pytest

from misto.core.tests.browser import axe_violations, screenshot
from misto.testing import make_staff
from misto.twin import demo, services


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_resident_finds_a_landmark_and_learns_about_a_place(live_server, browser):
    demo.load()
    target = services.landmark("12-0457")
    assert target is not None
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="uk-UA")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/map/")
    page.wait_for_selector("#twin-map[data-ready='1']", timeout=20_000)

    page.fill("#twin-q", "12 0457")
    page.press("#twin-q", "Enter")
    x, y = target.geometry.x, target.geometry.y
    page.wait_for_function(
        "([x, y]) => { const c = window.twinMap.getCenter();"
        " return Math.abs(c.lng - x) < 1e-6 && Math.abs(c.lat - y) < 1e-6; }",
        arg=[x, y], timeout=10_000)
    page.wait_for_selector("[data-twin='landmarks'] li", timeout=10_000)
    assert page.inner_text("[data-twin='landmarks'] li") .startswith("12-0457")
    assert page.locator(".twin-edit").count() == 0  # residents get no editor
    page.wait_for_timeout(800)  # let the tiles draw for the screenshot
    screenshot(page, "twin-landmark-search")

    # A click elsewhere on the map: the card must agree with the services.
    box = page.locator("#twin-map").bounding_box()
    px, py = box["width"] * 0.3, box["height"] * 0.35
    page.mouse.click(box["x"] + px, box["y"] + py)
    page.wait_for_function(
        "(old) => { const s = document.querySelector('.twin-place');"
        " return s && s.dataset.lon !== old; }", arg=str(x), timeout=10_000)
    lon = float(page.get_attribute(".twin-place", "data-lon"))
    lat = float(page.get_attribute(".twin-place", "data-lat"))
    expected = services.locate(lon, lat)
    assert expected.district is not None
    assert expected.district.name in page.inner_text("[data-twin='district']")
    assert expected.address.name in page.inner_text("[data-twin='address']")
    shown = [text.split(" ")[0] for text in
             page.locator("[data-twin='landmarks'] li").all_inner_texts()]
    # Equal distances may list in either order: compare each one's distance.
    distance = {item.number: item.distance_m for item in services.nearest(lon, lat, 10)}
    assert len(shown) == 3
    for number, want in zip(shown, expected.landmarks, strict=True):
        assert distance[number] == pytest.approx(want.distance_m, abs=0.01)
    screenshot(page, "twin-click")
    assert errors == []
    violations = [v for v in axe_violations(page) if v["id"] != "region"]
    assert violations == [], violations
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_qr_link_opens_the_landmark_on_a_phone(live_server, browser):
    demo.load()
    target = services.landmark("13-0010")
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="uk-UA")
    page = context.new_page()
    page.goto(f"{live_server.url}/map/?n=13-0010")
    page.wait_for_function(
        "([x, y]) => window.twinMap && Math.abs(window.twinMap.getCenter().lng - x) < 1e-6"
        " && Math.abs(window.twinMap.getCenter().lat - y) < 1e-6",
        arg=[target.geometry.x, target.geometry.y], timeout=20_000)
    page.wait_for_selector("[data-twin='district']", timeout=10_000)
    assert services.district_at(target.geometry.x, target.geometry.y).name in \
        page.inner_text("[data-twin='district']")
    page.wait_for_timeout(800)
    screenshot(page, "twin-phone")
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_edit_and_move_a_landmark_on_the_map(live_server, browser):
    from django.test import Client

    demo.load()
    target = services.landmark("12-0457")
    staff = make_staff("inspector", "clerk")
    client = Client()
    client.force_login(staff)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="uk-UA")
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                          "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/map/?n=12-0457")
    page.wait_for_selector(".twin-edit textarea", timeout=20_000)
    page.fill(".twin-edit textarea", '{"kind": "manhole", "note": "кришка тріснула"}')
    page.fill(".twin-edit input[type=text]", "огляд 24.11")
    page.click(".twin-edit button[type=submit]")
    page.wait_for_selector(".twin-edit .message-success", timeout=10_000)
    target.refresh_from_db()
    assert target.version == 2 and target.properties["note"] == "кришка тріснула"
    assert services.feature_history(target.pk)[-1].reason == "огляд 24.11"
    assert services.feature_history(target.pk)[-1].changed_by == "inspector"

    # Move it: press "move", then click the map 60 px to the right of it.
    page.click(".twin-edit button:not([type=submit]):not(.danger)")
    box = page.locator("#twin-map").bounding_box()
    px, py = box["width"] / 2 + 60, box["height"] / 2
    lon, lat = page.evaluate(f"() => {{ const p = window.twinMap.unproject([{px}, {py}]);"
                             " return [p.lng, p.lat]; }")
    page.mouse.click(box["x"] + px, box["y"] + py)
    page.wait_for_function(
        "() => document.querySelectorAll('.twin-edit .message-success').length >= 2",
        timeout=10_000)
    target.refresh_from_db()
    assert target.version == 3
    assert target.geometry.x == pytest.approx(lon, abs=1e-5)
    assert target.geometry.y == pytest.approx(lat, abs=1e-5)
    assert services.landmark_location("12-0457").lon == pytest.approx(lon, abs=1e-5)
    page.click(".twin-history summary")
    page.wait_for_selector(".twin-history li", timeout=10_000)
    versions = page.locator(".twin-history li").all_inner_texts()
    assert len(versions) == 3
    assert versions[1].startswith("v2")
    assert "inspector" in versions[1] and "огляд 24.11" in versions[1]
    screenshot(page, "twin-staff-edit")
    context.close()
