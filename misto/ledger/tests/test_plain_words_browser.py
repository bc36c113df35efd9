"""The public ledger speaks to residents first (issue 15, item 9): a plain explanation above
the proofs, in Ukrainian and English, and the site's icon answers at /favicon.ico."""

from __future__ import annotations

import pytest

from misto.core.tests.browser import axe_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("language", "title", "jargon"), [
    ("uk", "Що це таке, простими словами", "RFC 9162"),
    ("en", "What this is, in plain words", "RFC 9162"),
])
def test_plain_words_come_before_the_proofs(live_server, browser, language, title,
                                            jargon) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="uk-UA")
    context.add_cookies([{"name": "django_language", "value": language,
                          "url": live_server.url}])
    page = context.new_page()
    page.goto(live_server.url + "/ledger/")
    plain = page.locator(".ledger-plain")
    assert page.locator("#plain-title").inner_text() == title
    assert jargon not in plain.inner_text()  # the explanation has no jargon
    # On a phone the explanation is what a resident sees first, above every proof.
    assert plain.bounding_box()["y"] < 844 / 3
    assert plain.bounding_box()["y"] < page.locator("#head-title").bounding_box()["y"]
    assert jargon in page.locator("main").inner_text()  # the proofs are still there
    assert axe_violations(page) == []
    screenshot(page, f"ledger-plain-{language}")
    icon = page.request.get(live_server.url + "/favicon.ico")
    assert icon.status == 200 and icon.headers["content-type"] == "image/x-icon"
    context.close()
