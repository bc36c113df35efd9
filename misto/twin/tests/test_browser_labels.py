"""Issue 15, item 1: the map has text at every zoom, on a phone and a desktop, in Ukrainian and
English: district names over the city, street names along the streets, house numbers and
landmark numbers up close, drawn with the glyphs built at `make` time (no outside fonts)."""

from __future__ import annotations

import pytest

from misto.testing.maps import GlyphRequests, jump, map_screenshot, placed_labels
from misto.twin import builtin, demo, services
from misto.twin.models import Feature

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 860}}
LOCALES = {"uk": "uk-UA", "en": "en-GB"}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
# Both sizes and both languages, each once (a map draws in software here: 25 s a run).
@pytest.mark.parametrize(("device", "language"), [("phone", "uk"), ("desktop", "en")])
def test_the_city_map_names_districts_streets_houses_and_landmarks(live_server, browser,
                                                                    device, language):
    demo.load()
    districts = {f.name: f.properties.get("name_en") for f in
                 Feature.objects.filter(layer__code=builtin.DISTRICTS)}
    streets = set(Feature.objects.filter(layer__code=builtin.STREETS)
                  .values_list("name", flat=True))
    target = services.landmark("12-0457")
    assert target is not None
    context = browser.new_context(viewport=VIEWPORTS[device], locale=LOCALES[language])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    glyphs = GlyphRequests(page)
    page.goto(f"{live_server.url}/map/")
    page.wait_for_selector("#twin-map[data-ready='1']", timeout=20_000)
    assert page.evaluate("document.documentElement.lang") == language

    # The whole city: its districts by name, in the page's language.
    labels = placed_labels(page, "window.twinMap")
    shown = labels.get("label-districts", set())
    # Most of the six at once (on a phone two long neighbours may not both fit).
    assert len(shown) >= len(districts) - 1, labels
    assert shown <= set(districts)  # the features carry both names; the style picks one
    field = str(page.evaluate("window.twinMap.getLayoutProperty('label-districts', 'text-field')"))
    assert ("name_en" in field) == (language == "en")
    map_screenshot(page, f"map-labels-city-{device}-{language}")

    # A neighbourhood: street names along the streets.
    x, y = target.geometry.x, target.geometry.y
    jump(page, "window.twinMap", x, y, 15)
    labels = placed_labels(page, "window.twinMap", ("label-streets",))
    assert len(labels["label-streets"]) >= 2 and labels["label-streets"] <= streets, labels
    field = str(page.evaluate("window.twinMap.getLayoutProperty('label-streets', 'text-field')"))
    assert ("name_en" in field) == (language == "en")
    # Every demo street has its English name (KMU 2010 transliteration) for English maps.
    assert all(Feature.objects.filter(layer__code=builtin.STREETS)
               .values_list("properties__name_en", flat=True))
    map_screenshot(page, f"map-labels-streets-{device}-{language}")

    # Up close: house numbers and landmark numbers, the one searched for among them.
    jump(page, "window.twinMap", x, y, 18.5)
    labels = placed_labels(page, "window.twinMap", ("label-addresses", "label-landmarks"))
    assert labels.get("label-addresses"), labels
    assert "12-0457" in labels.get("label-landmarks", set()), labels
    map_screenshot(page, f"map-labels-close-{device}-{language}")

    glyphs.check()
    assert any("/DejaVuSans/1024-1279.pbf" in url for url in glyphs.statuses)  # Cyrillic
    assert errors == []
    context.close()
