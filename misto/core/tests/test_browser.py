"""The home page in a real browser: Ukrainian first, English one click away, accessible."""

from __future__ import annotations

import pytest

from misto.core.tests.browser import axe_violations, screenshot
from misto.testing import make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_in_ukrainian_then_english(live_server, page) -> None:
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "uk"
    assert page.locator("h1").inner_text() == "Ваше місто в одному місці"
    # On a phone the sign-in link sits in the menu; the other language stays in sight.
    page.get_by_role("button", name="Меню").click()
    assert page.get_by_role("link", name="Увійти").is_visible()
    assert axe_violations(page) == []
    screenshot(page, "home-uk")

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Your city in one place"
    assert page.get_by_role("button", name="Українська").is_visible()
    assert axe_violations(page) == []


def test_skip_link_moves_focus_to_main(live_server, page) -> None:
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Перейти до змісту")
    assert skip.evaluate("el => el === document.activeElement")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"


def test_staff_sign_in_and_dead_letter_page(live_server, page, django_user_model) -> None:
    make_staff("dispatcher", "it_admin", password="a-strong-pass-42")
    page.goto(live_server.url + "/staff/events/")
    page.get_by_label("Ім’я користувача").fill("dispatcher")
    page.get_by_label("Пароль").fill("a-strong-pass-42")
    page.get_by_role("button", name="Увійти").click()
    page.wait_for_url("**/staff/events/")
    assert page.locator("h1").inner_text() == "Доставка подій"
    assert axe_violations(page) == []
    screenshot(page, "dead-letters-uk")
