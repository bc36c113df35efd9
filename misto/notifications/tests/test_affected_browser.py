""""Is my building affected?" as a resident meets it, on a phone (390x844) and a desktop, in
Ukrainian and English: type the address, read a yes or no per outage, filter a district."""

from __future__ import annotations

import pytest

from misto.core.tests.browser import axe_violations, screenshot
from misto.notifications import services
from misto.notifications.tests.conftest import DISTRICT_B, outage_draft
from misto.notifications.tests.test_affected import heating_in_b

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    "uk": {"yes": "Так, зачеплено", "no": "Ні, не зачеплено", "check": "Перевірити",
           "show": "Показати", "label": "Ваша адреса або номер орієнтира", "where": "Де:"},
    "en": {"yes": "Yes, affected", "no": "No, not affected", "check": "Check",
           "show": "Show", "label": "Your address or landmark number", "where": "Where:"},
}


# Both sizes and both languages, each once: the suite's time goes to what differs.
@pytest.mark.parametrize("language, device, viewport", [
    ("uk", "phone", {"width": 390, "height": 844}),
    ("en", "desktop", {"width": 1280, "height": 900})])
def test_a_resident_checks_their_building_and_filters_a_district(
        live_server, browser, city, staff, language, device, viewport) -> None:
    services.compose(staff(), outage_draft(city))
    heating_in_b(staff)
    text = TEXT[language]
    context = browser.new_context(viewport=viewport, locale="uk-UA")
    context.add_cookies([{"name": "django_language", "value": language,
                          "url": live_server.url}])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/notices/")

    page.get_by_label(text["label"]).fill("Садова 2")
    page.get_by_role("button", name=text["check"], exact=True).click()
    page.wait_for_selector("#affected-result .verdict")
    result = page.locator("#affected-result")
    answers = result.locator(".verdict-answer").all_inner_texts()
    assert answers == [text["yes"], text["no"]]  # what affects the place comes first
    water = result.locator(".verdict-yes")
    assert ("Відключення води" if language == "uk" else "Water outage") in water.inner_text()
    assert "Садова" in result.locator(".affected-place").inner_text()
    page.wait_for_function("() => document.querySelector('#notices-map')"
                           ".getAttribute('data-loaded') !== null", timeout=20_000)
    assert page.locator(".maplibregl-marker").count() == 1  # the checked place on the map
    # Phone first: nothing wider than the screen, the answer readable without zooming.
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    assert axe_violations(page) == []
    screenshot(page, f"notices-affected-{device}-{language}")

    # The district filter keeps the checked place, and every notice names where it reaches.
    page.select_option("#id_district", DISTRICT_B)
    page.get_by_role("button", name=text["show"], exact=True).click()
    page.wait_for_url(f"**district={DISTRICT_B}**")
    listed = page.locator("#outage-list li.notice").all_inner_texts()
    assert len(listed) == 1 and f"{text['where']} Східний район" in listed[0]
    assert page.locator("#affected-result .verdict").count() == 2
    page.wait_for_function("() => document.querySelector('#notices-map')"
                           ".getAttribute('data-loaded') === '1'", timeout=20_000)
    assert axe_violations(page) == []
    screenshot(page, f"notices-district-{device}-{language}")
    assert errors == []
    context.close()
