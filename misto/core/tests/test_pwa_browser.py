"""The installable app in a real Chromium: installability, the phone header and menu, the
bottom bar, the offer made after a first action, in Ukrainian and English."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

from misto.conftest import wait_for
from misto.core.tests.browser import CHROMIUM, CHROMIUM_ARGS, axe_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}


def new_page(browser: Any, viewport: dict[str, int], locale: str = "uk-UA") -> Any:
    context = browser.new_context(viewport=viewport, locale=locale)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors
    return page


def wait_for_worker(page: Any) -> None:
    """Until the root worker is active and controls this page."""
    page.wait_for_function(
        "() => navigator.serviceWorker.controller !== null", timeout=20_000)


def test_manifest_and_worker_pass_chromiums_installability_checks(live_server, browser,
                                                                 tmp_path) -> None:
    # Chromium never offers to install from an incognito context (Playwright's default):
    # this one keeps a profile on disk, as a resident's browser does.
    context = browser.browser_type.launch_persistent_context(
        tmp_path / "profile", executable_path=CHROMIUM, args=CHROMIUM_ARGS,
        viewport=PHONE, locale="uk-UA")
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.goto(live_server.url + "/")
    wait_for_worker(page)
    cdp = page.context.new_cdp_session(page)
    page.reload()
    result = cdp.send("Page.getInstallabilityErrors")
    assert result["installabilityErrors"] == []
    scope = page.evaluate(
        "() => navigator.serviceWorker.getRegistration().then(r => r.scope)")
    assert scope == live_server.url + "/"
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["errors"] == []
    assert page.errors == []
    context.close()


def header_share(page: Any) -> float:
    box = page.locator(".site-header").bounding_box()
    return box["height"] / PHONE["height"]


@pytest.mark.parametrize("locale,menu_name,close_name", [
    ("uk-UA", "Меню", "Закрити"), ("en-GB", "Menu", "Close"),
])
def test_phone_header_is_small_and_the_menu_works_with_the_keyboard(
        live_server, browser, django_user_model, locale, menu_name, close_name) -> None:
    # Staff see the longest menu: it used to take half of a phone's screen.
    staff = django_user_model.objects.create_superuser("chief", password="a-strong-pass-42")
    page = new_page(browser, PHONE, locale)
    page.context.add_cookies([session_cookie(staff, live_server)])
    if locale.startswith("en"):
        page.context.add_cookies([{"name": django_settings.LANGUAGE_COOKIE_NAME,
                                   "value": "en", "url": live_server.url}])
    page.goto(live_server.url + "/")
    assert header_share(page) <= 0.15
    nav = page.locator(".site-nav")
    assert not nav.is_visible()
    assert page.get_by_role("button", name=menu_name).is_visible()
    toggle = page.locator(".menu-toggle")
    assert toggle.get_attribute("aria-expanded") == "false"
    language = "en" if locale.startswith("en") else "uk"
    screenshot(page, f"pwa-phone-{language}-closed")

    # Keyboard only: Tab to the button, Enter opens, Tab reaches the first menu link,
    # Escape closes and puts the focus back on the button.
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the brand
    page.keyboard.press("Tab")  # the other language
    page.keyboard.press("Tab")
    assert toggle.evaluate("el => el === document.activeElement")
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    assert nav.is_visible()
    assert page.get_by_role("button", name=close_name).is_visible()
    page.keyboard.press("Tab")
    first_link = nav.get_by_role("link").first
    assert first_link.evaluate("el => el === document.activeElement")
    assert axe_violations(page) == []
    screenshot(page, f"pwa-phone-{language}-open")
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not nav.is_visible()
    assert toggle.evaluate("el => el === document.activeElement")
    # Space toggles too, as on any button.
    page.keyboard.press(" ")
    assert toggle.get_attribute("aria-expanded") == "true"
    page.keyboard.press(" ")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert axe_violations(page) == []
    assert page.errors == []
    page.context.close()


@pytest.mark.parametrize("locale", ["uk-UA", "en-GB"])
def test_bottom_bar_on_phones_only(live_server, browser, locale) -> None:
    language = "en" if locale.startswith("en") else "uk"
    phone = new_page(browser, PHONE, locale)
    if language == "en":
        phone.context.add_cookies([{"name": django_settings.LANGUAGE_COOKIE_NAME,
                                    "value": "en", "url": live_server.url}])
    phone.goto(live_server.url + "/notices/")
    bar = phone.get_by_role("navigation", name="Основні дії" if language == "uk"
                            else "Main actions")
    assert bar.is_visible()
    labels = [text.strip() for text in bar.get_by_role("link").all_inner_texts()]
    assert labels == (["Повідомити", "Мапа", "Оголошення", "Кабінет"] if language == "uk"
                      else ["Report", "Map", "Notices", "Cabinet"])
    current = bar.locator("[aria-current='page']")
    assert current.get_attribute("href") == "/notices/"
    box = bar.bounding_box()
    assert box["y"] + box["height"] == pytest.approx(PHONE["height"], abs=1)
    # The page's own content is not hidden behind the bar at the end of the page.
    phone.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    footer = phone.locator(".site-footer").bounding_box()
    assert footer["y"] + footer["height"] <= bar.bounding_box()["y"] + 1
    assert axe_violations(phone) == []
    screenshot(phone, f"pwa-phone-{language}-notices")
    phone.context.close()

    desktop = new_page(browser, DESKTOP, locale)
    if language == "en":
        desktop.context.add_cookies([{"name": django_settings.LANGUAGE_COOKIE_NAME,
                                      "value": "en", "url": live_server.url}])
    desktop.goto(live_server.url + "/")
    assert not desktop.locator(".action-bar").is_visible()
    assert not desktop.locator(".menu-toggle").is_visible()
    assert desktop.locator(".site-nav").is_visible()
    assert axe_violations(desktop) == []
    screenshot(desktop, f"pwa-desktop-{language}-home")
    desktop.context.close()


def session_cookie(user: Any, live_server: Any) -> dict[str, str]:
    client = Client()
    client.force_login(user)
    return {"name": django_settings.SESSION_COOKIE_NAME,
            "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
            "url": live_server.url}


def test_personal_pages_kept_offline_are_forgotten_on_sign_out(
        live_server, browser, django_user_model) -> None:
    """A shared phone must not show the previous resident's cabinet offline."""
    resident = django_user_model.objects.create_user("olena", password="a-strong-pass-42")
    page = new_page(browser, PHONE)
    page.context.add_cookies([session_cookie(resident, live_server)])
    page.goto(live_server.url + "/")
    wait_for_worker(page)
    page.goto(live_server.url + "/cabinet/")
    kept = ("() => caches.open('misto-personal').then(c => c.keys())"
            ".then(keys => keys.map(k => new URL(k.url).pathname))")
    assert wait_for(lambda: "/cabinet/" in page.evaluate(kept), timeout=10)
    page.context.set_offline(True)
    page.reload()
    assert page.locator("h1").inner_text() == "Мій кабінет"
    page.context.set_offline(False)

    page.goto(live_server.url + "/")
    page.get_by_role("button", name="Меню").click()
    page.get_by_role("button", name="Вийти").click()
    page.wait_for_load_state()
    assert wait_for(lambda: page.evaluate(kept) == [], timeout=10)
    page.context.set_offline(True)
    page.goto(live_server.url + "/cabinet/")
    assert page.locator("h1").inner_text() == "Немає з’єднання з мережею"
    assert page.errors == []
    page.context.close()
