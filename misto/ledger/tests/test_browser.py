"""The verify page in a real browser: paste an entry, then a receipt; accessible on a phone."""

from __future__ import annotations

import pytest

from misto.core.tests.browser import axe_violations, screenshot
from misto.ledger import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pasting_an_entry_and_a_receipt_proves_them(live_server, page, build_log) -> None:
    entries = build_log(29, heads=[11])
    page.goto(live_server.url + "/ledger/verify")
    assert page.locator("html").get_attribute("lang") == "uk"
    assert axe_violations(page) == []

    entry_form = page.locator("form:has(input[name=mode][value=entry])")
    entry_form.locator("input[name=index]").fill("17")
    entry_form.locator("textarea[name=entry]").fill(entries[17].decode())
    entry_form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".verdict-ok").is_visible()
    assert page.locator("ol.steps > li").count() == 1 + 5 + 2  # leaf, 5 siblings, root, key
    assert axe_violations(page) == []
    screenshot(page, "ledger-verify-entry")

    entry_form = page.locator("form:has(input[name=mode][value=entry])")
    entry_form.locator("textarea[name=entry]").fill(entries[16].decode())
    entry_form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".verdict-bad").is_visible()

    receipt = services.Receipt(3, services.leaf_hash_of(3), "test.thing",
                               services.LedgerEntry.objects.get(index=3).created_at)
    receipt_form = page.locator("form:has(input[name=mode][value=receipt])")
    receipt_form.locator("textarea[name=receipt]").fill(receipt.as_text())
    receipt_form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".verdict-ok").is_visible()

    page.goto(live_server.url + "/ledger/")
    assert axe_violations(page) == []
    screenshot(page, "ledger-index")
