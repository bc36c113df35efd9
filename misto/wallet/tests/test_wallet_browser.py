"""Issue 20's flow in a real browser: top up through the DEMO provider, buy a 10-trip pass,
show the QR to a validator that checks it offline and uploads later; a second upload of the
same taps changes nothing; the pass's receipt downloads as PDF. Staff: the card desk, four
eyes on a refund, reconciliation. (uk, phone) and (en, desktop); axe and no overflow on each
page.
"""

from __future__ import annotations

import base64
import json
import time
from datetime import date, timedelta
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from misto.core.tests.browser import axe_violations, screenshot
from misto.testing import make_staff
from misto.testing.world import signed_in
from misto.wallet import demo, offline, services
from misto.wallet.models import Account, Card, Ride, TopUp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
WORDS = {"uk": {"top": "Поповнити", "go": "Перейти до оплати", "pay": "Сплатити",
                "buy": "Купити: 10 поїздок", "ticket": "Квиток (QR)",
                "left": "залишилося 9 поїздок", "receipt": "Квитанція (PDF)"},
         "en": {"top": "Top up", "go": "Continue to payment", "pay": "Pay",
                "buy": "Buy: 10 trips", "ticket": "Ride ticket (QR)", "left": "9 trips left",
                "receipt": "Receipt (PDF)"}}


def _check(page: Any, shot: str) -> None:
    assert axe_violations(page) == [], shot
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), shot
    screenshot(page, f"wallet-{shot}")


@pytest.mark.parametrize("language,device", [("uk", "phone"), ("en", "desktop")])
def test_top_up_buy_a_pass_ride_offline_and_upload_twice(live_server: Any, browser: Any,
                                                         rider: Any, language: str,
                                                         device: str) -> None:
    words = WORDS[language]
    context = browser.new_context(viewport=VIEWPORTS[device],
                                  locale="uk-UA" if language == "uk" else "en-GB")
    session = signed_in(rider).cookies[django_settings.SESSION_COOKIE_NAME].value
    context.add_cookies([
        {"name": django_settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url},
        {"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.goto(live_server.url + "/wallet/")
    _check(page, f"home-{device}-{language}")
    page.get_by_role("link", name=words["top"], exact=True).first.click()
    page.get_by_label("UAH" if language == "en" else "грн").fill("200")
    page.get_by_role("button", name=words["go"]).click()
    _check(page, f"demo-pay-{device}-{language}")
    page.get_by_role("button", name=words["pay"], exact=True).click()
    assert "200,00" in page.get_by_test_id("balance").inner_text().replace(".", ",")
    page.goto(live_server.url + "/wallet/passes/")
    page.get_by_role("button", name=words["buy"]).click()
    assert "70,00" in page.get_by_test_id("balance").inner_text().replace(".", ",")

    # The validator fetched the platform's keys once; the ride itself needs no network.
    keys = {k["key_id"]: base64.b64decode(k["public_key"])
            for k in Client().get("/api/wallet/keys").json()}
    page.get_by_role("link", name=words["ticket"]).first.click()
    page.wait_for_url("**/wallet/ticket/")
    _check(page, f"ticket-{device}-{language}")
    token = page.locator("figure.qr").get_attribute("data-token")
    assert offline.verify(token, keys, int(time.time())).account == str(
        Account.objects.get(user=rider).public_id)
    taps = {"taps": [{"tap_id": "bus-demo-1:0001", "token": token,
                      "at": timezone.now().isoformat()}]}
    for _upload in range(2):  # the validator got no answer the first time and retries
        answer = Client().post("/api/wallet/validators/taps", json.dumps(taps),
                               content_type="application/json",
                               HTTP_AUTHORIZATION=f"Bearer {demo.DEMO_VALIDATOR[1]}")
        assert answer.status_code == 200
    assert answer.json()[0]["status"] == "duplicate" and Ride.objects.count() == 1
    page.goto(live_server.url + "/wallet/")
    assert "70,00" in page.get_by_test_id("balance").inner_text().replace(".", ",")
    assert words["left"] in page.content()
    _check(page, f"home-history-{device}-{language}")
    with page.expect_download() as download:  # the pass's receipt, as PDF
        page.get_by_role("link", name=words["receipt"]).first.click()
    text = "".join(p.extract_text() for p in PdfReader(download.value.path()).pages)
    assert "130" in text and ("Квитанція" if language == "uk" else "Receipt") in text
    assert services.check_book().ok
    context.close()


STAFF_WORDS = {"uk": {"sell": "Продати картку", "ask": "Передати на погодження",
                      "approve": "Погодити", "reconcile": "Звірити", "clean": "Усе збігається"},
               "en": {"sell": "Sell a card", "ask": "Ask for approval", "approve": "Approve",
                      "reconcile": "Reconcile", "clean": "Everything matches"}}


@pytest.mark.parametrize("language,device", [("uk", "phone"), ("en", "desktop")])
def test_desk_four_eyes_and_reconciliation(live_server: Any, browser: Any, account: Account,
                                           tmp_path: Any, language: str, device: str) -> None:
    """A clerk sells an anonymous card and asks for a refund; a second clerk approves it;
    yesterday's demo statement reconciles clean."""
    words = STAFF_WORDS[language]
    topup = services.demo_pay(services.do_start_topup(account, 5_000))
    TopUp.objects.filter(pk=topup.pk).update(
        settled_at=timezone.now() - timedelta(days=1))

    def clerk_page(name: str) -> Any:
        context = browser.new_context(viewport=VIEWPORTS[device],
                                      locale="uk-UA" if language == "uk" else "en-GB")
        session = signed_in(make_staff(name, "clerk")).cookies[
            django_settings.SESSION_COOKIE_NAME].value
        context.add_cookies([
            {"name": django_settings.SESSION_COOKIE_NAME, "value": session,
             "url": live_server.url},
            {"name": "django_language", "value": language, "url": live_server.url}])
        return context.new_page()

    first = clerk_page(f"desk-{language}")
    first.goto(live_server.url + "/wallet/staff/desk/")
    first.get_by_role("button", name=words["sell"]).click()
    number = first.get_by_test_id("sold-number").inner_text()
    assert Card.objects.get(number=number).account.anonymous
    _check(first, f"desk-{device}-{language}")
    first.goto(live_server.url + "/wallet/staff/corrections/")
    first.locator("#f-account").fill(str(account.pk))
    first.locator("#f-amount").fill("12,50")
    first.locator("#f-reason").fill("refund")
    first.get_by_role("button", name=words["ask"]).click()
    assert first.get_by_test_id("pending").count() == 1
    assert first.get_by_role("button", name=words["approve"]).count() == 0  # not its author
    _check(first, f"corrections-{device}-{language}")
    second = clerk_page(f"approver-{language}")
    second.goto(live_server.url + "/wallet/staff/corrections/")
    second.get_by_role("button", name=words["approve"]).click()
    assert services.balance(account) == 6_250
    second.goto(live_server.url + "/wallet/staff/reconciliation/")
    _check(second, f"reconciliation-{device}-{language}")
    day = (timezone.localdate() - timedelta(days=1)).isoformat()
    statement = tmp_path / "statement.json"
    statement.write_text(services.demo_statement(date.fromisoformat(day)), "utf-8")
    second.locator("#f-provider").select_option("demo")
    second.locator("#f-statement").set_input_files(str(statement))
    second.get_by_role("button", name=words["reconcile"]).click()
    assert words["clean"] in second.get_by_test_id("clean").inner_text()
    _check(second, f"reconciliation-result-{device}-{language}")
