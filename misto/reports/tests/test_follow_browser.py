"""Issue 14's "done when", in the browser at phone size and in Ukrainian: an anonymous
reporter who left an e-mail confirms it with the code from the local outbox, and the
clerk's update arrives there with a link that opens the report."""

from __future__ import annotations

import re

import pytest

from misto.core.outbox import deliver_due
from misto.core.tests.browser import axe_violations, screenshot
from misto.notifications import channels
from misto.reports import services
from misto.reports.models import Follower, Report
from misto.testing import make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADDRESS = "olena@example.com"


def test_anonymous_reporter_gets_the_update_in_the_local_outbox(live_server, browser, city,
                                                                settings):
    settings.EMAIL_BACKEND = "misto.residents.outbox.LocalOutboxEmailBackend"
    settings.PRODUCTION = False
    settings.MISTO_PUBLIC_URL = live_server.url
    clerk = make_staff("svitlo", "clerk", department="light")
    base = live_server.url
    phone = browser.new_context(viewport={"width": 390, "height": 844}, locale="uk-UA")
    page = phone.new_page()

    page.goto(f"{base}/reports/new/")
    page.select_option("#id_category", "streetlight-out")
    page.wait_for_selector("#id_attr_how_many")  # the category's question (htmx)
    page.fill("#id_attr_how_many", "1")
    page.fill("#id_description", "Не світить ліхтар біля зупинки")
    page.fill("#id_landmark", city.landmarks[0])
    page.fill("#id_updates_contact", ADDRESS)
    assert "Е-пошта або телефон для оновлень" in page.locator("main").inner_text()
    page.locator("#report-form button[type=submit]").click()
    page.wait_for_url("**/follow/**")
    confirm = page.url
    assert "Підтвердьте адресу для оновлень" in page.locator("h1").inner_text()
    assert axe_violations(page) == []
    screenshot(page, "reports-follow-confirm")

    page.get_by_role("link", name=re.compile("Локальна скринька")).click()
    code_card = page.locator("article.outbox-message", has_text=ADDRESS).first
    code = re.search(r"\b(\d{6})\b", code_card.inner_text())
    assert code and "код підтвердження" in code_card.inner_text()
    page.goto(confirm)
    page.fill("#f-code", code.group(1))
    page.locator("main form button[type=submit]").click()
    report = Report.objects.get()
    page.wait_for_url(f"**/reports/{report.public_id}/")
    assert "Підтверджено" in page.locator("body").inner_text()
    assert Follower.objects.filter(report=report).count() == 1

    services.change_status(report.pk, clerk, "accepted", "Бригада виїде завтра")
    deliver_due()  # notifications consumes the status change
    channels.deliver_due()  # and sends the e-mail
    page.goto(f"{base}/cabinet/dev-outbox/")
    update = page.locator("article.outbox-message", has_text=report.public_id).first
    text = update.inner_text()
    assert ADDRESS in text and "Бригада виїде завтра" in text
    screenshot(page, "reports-follow-update")
    link = re.search(r"https?://\S+/reports/[^\s/]+/", text)
    assert link
    page.goto(link.group(0))
    assert report.public_id in page.locator("h1").inner_text()
    phone.close()
