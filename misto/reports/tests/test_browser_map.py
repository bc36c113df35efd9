"""Issue 15, items 1 and 2 on the reports' maps: the form's map moves to a typed landmark number
and shows a marker there; the reports map explains its marker colours; the category select
fits a phone; both maps carry street and district names."""

from __future__ import annotations

import pytest

from misto.reports import demo as reports_demo
from misto.testing.maps import GlyphRequests, map_screenshot, placed_labels, wait_until_drawn
from misto.twin import demo as twin_demo
from misto.twin import services as twin

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
LOCALES = {"uk": "uk-UA", "en": "en-GB"}


@pytest.mark.parametrize(("device", "language"), [("phone", "uk"), ("desktop", "en")])
def test_the_form_map_goes_to_a_typed_landmark_and_marks_it(live_server, browser, device,
                                                             language):
    twin_demo.load()
    reports_demo.load_tree()
    target = twin.landmark("12-0457")
    assert target is not None
    context = browser.new_context(viewport=VIEWPORTS[device], locale=LOCALES[language])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    glyphs = GlyphRequests(page)
    page.goto(f"{live_server.url}/reports/new/")
    wait_until_drawn(page, "window.reportsPickMap")

    # The category select stays inside a phone's screen, whatever the longest title.
    width = page.evaluate("document.documentElement.clientWidth")
    box = page.locator("#id_category").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, (box, width)
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    # Typing the plate's number (as people do, with a space) moves the map there and marks it.
    assert page.locator(".report-pin").count() == 0
    page.fill("#id_landmark", "12 0457")
    page.locator("#id_landmark").dispatch_event("change")
    page.wait_for_selector("#pick-map .report-pin", timeout=10_000)
    pin = page.locator("#pick-map .report-pin")
    assert float(pin.get_attribute("data-lon")) == pytest.approx(target.geometry.x, abs=1e-7)
    assert float(pin.get_attribute("data-lat")) == pytest.approx(target.geometry.y, abs=1e-7)
    page.wait_for_function(
        "([x, y]) => { const c = window.reportsPickMap.getCenter();"
        " return Math.abs(c.lng - x) < 1e-6 && Math.abs(c.lat - y) < 1e-6"
        " && window.reportsPickMap.getZoom() >= 18; }",
        arg=[target.geometry.x, target.geometry.y], timeout=10_000)
    # The marker stands on the landmark: its tip (the bottom centre) at the point's pixel.
    tip = pin.bounding_box()
    spot = page.evaluate("([x, y]) => window.reportsPickMap.project([x, y])",
                         [target.geometry.x, target.geometry.y])
    canvas = page.locator("#pick-map canvas").bounding_box()
    assert tip["x"] + tip["width"] / 2 == pytest.approx(canvas["x"] + spot["x"], abs=2)
    assert tip["y"] + tip["height"] == pytest.approx(canvas["y"] + spot["y"], abs=2)
    page.locator("#pick-map").scroll_into_view_if_needed()
    labels = placed_labels(page, "window.reportsPickMap", ("label-streets", "label-landmarks"))
    assert "12-0457" in labels.get("label-landmarks", set()), labels
    assert labels.get("label-streets"), labels
    map_screenshot(page, f"reports-form-landmark-{device}-{language}")

    # A click elsewhere moves the marker to the clicked place.
    map_box = page.locator("#pick-map").bounding_box()
    page.mouse.click(map_box["x"] + map_box["width"] * 0.25, map_box["y"] + map_box["height"] * 0.3)
    page.wait_for_function("() => document.getElementById('id_lon').value !== ''")
    assert float(pin.get_attribute("data-lon")) == pytest.approx(
        float(page.input_value("#id_lon")), abs=1e-5)
    glyphs.check()
    assert errors == []
    context.close()


@pytest.mark.parametrize(("device", "language"), [("phone", "en"), ("desktop", "uk")])
def test_the_reports_map_has_a_legend_of_its_marker_colours(live_server, browser, device,
                                                            language):
    twin_demo.load()
    reports_demo.load_tree()
    reports_demo.load_reports(count=12)
    context = browser.new_context(viewport=VIEWPORTS[device], locale=LOCALES[language])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    glyphs = GlyphRequests(page)
    page.goto(f"{live_server.url}/reports/")
    wait_until_drawn(page, "window.reportsMap")
    page.wait_for_function("() => window.reportsMap.getLayer('reports')", timeout=10_000)

    legend = page.locator("#reports-legend li")
    statuses = legend.evaluate_all("items => items.map(i => i.dataset.status)")
    assert statuses == ["new", "accepted", "in_progress", "resolved", "rejected", "duplicate"]
    assert all(text.strip() for text in legend.all_inner_texts())
    # Each swatch has the colour the map paints that status with.
    painted = page.evaluate(
        "(statuses) => { const e = window.reportsMap.getPaintProperty('reports', 'circle-color');"
        " return statuses.map(s => { const i = e.indexOf(s, 2);"
        " return i > 0 ? e[i + 1] : null; }); }",
        statuses)
    swatches = legend.evaluate_all(
        "items => items.map(i => getComputedStyle(i.querySelector('.legend-dot')).backgroundColor)")
    for colour, swatch in zip(painted, swatches, strict=True):
        assert colour is not None
        r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
        assert swatch == f"rgb({r}, {g}, {b})", (colour, swatch)
    assert legend.first.inner_text().strip() == {"uk": "Нове", "en": "New"}[language]
    width = page.evaluate("document.documentElement.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    labels = placed_labels(page, "window.reportsMap", ("label-districts", "label-streets"))
    assert labels, labels
    page.locator("#reports-legend").scroll_into_view_if_needed()
    map_screenshot(page, f"reports-map-legend-{device}-{language}")
    glyphs.check()
    assert errors == []
    context.close()
