"""The header of residents and visitors: their everyday pages in one line, the rest under
"More" (with the staff's own-work-first menu, every header stays one line on a desk)."""

from __future__ import annotations

from typing import Any

import pytest

from misto.core.tests.browser import axe_violations, screenshot
from misto.testing.e2e import sign_in_with_password

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESK = {"width": 1280, "height": 900}
WORDS = {
    "uk": {"shelters": "Укриття", "report": "Повідомити про проблему", "petitions": "Петиції",
           "cabinet": "Мій кабінет", "more": "Ще"},
    "en": {"shelters": "Shelters", "report": "Report a problem", "petitions": "Petitions",
           "cabinet": "My cabinet", "more": "More"},
}


def header_height(page: Any) -> float:
    return float(page.evaluate(
        "() => document.querySelector('.site-header').getBoundingClientRect().height"))


def in_header(page: Any, name: str) -> bool:
    return bool(page.locator(".site-nav").get_by_role("link", name=name, exact=True)
                .is_visible())


@pytest.mark.parametrize("language", ["uk", "en"])
def test_a_residents_header_is_one_line_with_the_rest_under_more(
        live_server: Any, browser: Any, django_user_model: Any, language: str) -> None:
    words = WORDS[language]
    django_user_model.objects.create_user("mariia", password="a-strong-pass-42")
    context = browser.new_context(viewport=DESK, locale="uk-UA")
    context.add_cookies([{"name": "django_language", "value": language,
                          "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    assert in_header(page, words["shelters"]) and in_header(page, words["report"])
    assert not in_header(page, words["petitions"])
    assert header_height(page) < 80  # one line: it was two with every module's page
    page.locator(".nav-more summary").click()
    assert in_header(page, words["petitions"])
    assert axe_violations(page) == []
    screenshot(page, f"resident-menu-visitor-desk-{language}")

    sign_in_with_password(page, live_server.url, "mariia", "a-strong-pass-42", "/")
    first = page.locator(".site-nav > ul > li:not(.nav-more) > a").first.text_content()
    assert (first or "").strip() == words["cabinet"]
    assert header_height(page) < 80
    screenshot(page, f"resident-menu-signed-in-desk-{language}")
    context.close()
