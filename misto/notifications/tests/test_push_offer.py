"""Web Push is offered after a first action (here: saving subscriptions), never on a first
visit, through the site's one service worker at the root."""

from __future__ import annotations

import pytest

from misto.core.tests.browser import axe_violations, screenshot
from misto.notifications.tests.test_browser import session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["uk", "en"])
def test_push_is_offered_after_a_first_action_not_on_the_first_visit(
        live_server, browser, django_user_model, language) -> None:
    resident = django_user_model.objects.create_user("olena", password="a-strong-pass-42")
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="uk-UA")
    context.add_cookies([session_cookie(resident, live_server),
                         {"name": "django_language", "value": language,
                          "url": live_server.url}])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    offer = page.locator(".pwa-offer")
    allow = "Дозволити сповіщення" if language == "uk" else "Allow notifications"
    not_now = "Не зараз" if language == "uk" else "Not now"

    page.goto(live_server.url + "/")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null",
                           timeout=20_000)
    page.goto(live_server.url + "/notices/settings/")
    page.wait_for_load_state()
    assert not offer.is_visible()  # first visit: nothing asked

    save = "Зберегти підписки" if language == "uk" else "Save subscriptions"
    page.get_by_role("button", name=save).click()
    page.wait_for_selector(".message-success")
    offer.wait_for(state="visible")
    assert offer.get_by_role("button", name=allow).is_visible()
    assert axe_violations(page) == []
    screenshot(page, f"push-offer-phone-{language}")
    # The worker that would receive the messages is the root one.
    scope = page.evaluate("() => navigator.serviceWorker.ready.then(r => r.scope)")
    assert scope == live_server.url + "/"

    offer.get_by_role("button", name=not_now).click()
    assert not offer.is_visible()
    page.get_by_role("button", name=save).click()
    page.wait_for_selector(".message-success")
    page.wait_for_timeout(300)
    assert not offer.is_visible()  # declined once: not asked again
    assert errors == []
    context.close()


def test_anonymous_visitors_are_not_offered_push(live_server, browser) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="uk-UA")
    page = context.new_page()
    page.goto(live_server.url + "/notices/")
    page.wait_for_load_state()
    page.wait_for_timeout(300)
    assert not page.locator(".pwa-offer").is_visible()
    context.close()
