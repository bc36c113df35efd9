"""A resident on a phone and on a desktop, in Ukrainian and in English: searches by need,
sees whether the place is open now in the list and on the map, opens the card, and has
one-tap call and e-mail links. A closure today makes the status deterministic."""

from __future__ import annotations

import pytest
from django.utils import timezone

from misto.directory import demo, services
from misto.testing.maps import map_screenshot, wait_until_drawn
from misto.twin import demo as twin_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
LOCALES = {"uk": "uk-UA", "en": "en-GB"}
CLOSED = {"uk": "Сьогодні зачинено (Санітарний день)", "en": "Closed today (Sanitary day)"}
QUERY = {"uk": "паспорт", "en": "passport"}


@pytest.mark.parametrize(("device", "language"), [("phone", "uk"), ("desktop", "en")])
def test_search_by_need_and_the_card_with_open_now(live_server, browser, device, language):
    twin_demo.load()
    demo.load()
    today = timezone.localdate()
    cnap = services.access_unit(None, "cnap-main")
    services.add_closure(cnap, services.check_closure(today, today, "Санітарний день",
                                                      "Sanitary day"))
    context = browser.new_context(viewport=VIEWPORTS[device], locale=LOCALES[language])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/directory/")
    page.fill("#dir-q", QUERY[language])
    page.locator(".dir-search button[type=submit]").click()
    page.wait_for_selector(".dir-result")
    result = page.locator(".dir-result[data-slug=cnap-main]")
    assert result.locator(".dir-status").inner_text().startswith(CLOSED[language])
    wait_until_drawn(page, "window.directoryMap")
    width = page.evaluate("document.documentElement.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    map_screenshot(page, f"directory-search-{device}-{language}")

    result.locator("a").first.click()
    page.wait_for_selector(".dir-card")
    status = page.locator(".dir-now .dir-status")
    assert status.get_attribute("data-state") == "closed"
    assert status.inner_text().startswith(CLOSED[language])
    assert page.locator("a.dir-phone").first.get_attribute("href") == "tel:+380612221580"
    assert page.locator("a.dir-email").first.get_attribute("href") == "mailto:cnap@misto.example"
    wait_until_drawn(page, "window.directoryMap")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    map_screenshot(page, f"directory-card-{device}-{language}")
    assert errors == []
    context.close()
