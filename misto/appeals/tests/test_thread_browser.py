"""Issue 17's appeal, in a real browser: one thread from the letter to the answer.

A resident writes to the head of street lighting's reception, the department's clerk asks for
more information, the resident answers in the same thread, the clerk answers before the
deadline, and the resident's cabinet leads to the thread with the whole correspondence. On a
desktop in Ukrainian and on a phone in English; axe runs on each page and nothing may be wider
than the screen.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from misto.appeals.models import Appeal, Status
from misto.core.outbox import deliver_due
from misto.core.tests.browser import axe_violations, screenshot
from misto.residents import levels

from .conftest import TEXT, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
WORDS = {
    "uk": {"reception": "Начальник служби освітлення", "ask": "Запитати додаткову інформацію",
           "ask_button": "Запитати", "send": "Надіслати", "answer": "Надіслати відповідь",
           "registered": "Зареєстровано за №", "answered": "надано відповідь",
           "resident": "Мешканець", "office": "Установа", "mine": "Мої звернення",
           "inbox": "Надано відповідь на звернення № {number}"},
    "en": {"reception": "Head of street lighting", "ask": "Ask for more information",
           "ask_button": "Ask", "send": "Send", "answer": "Send the answer",
           "registered": "Registered as №", "answered": "answered",
           "resident": "Resident", "office": "Office", "mine": "My appeals",
           "inbox": "Appeal {number} is answered"},
}
SUBJECT = "Не світить ліхтар"
QUESTION = "Уточніть, будь ласка, номер опори: він написаний на табличці."
REPLY = "Опора 12-0457, навпроти під'їзду 2."
ANSWER = "Ліхтар на опорі 12-0457 замінено 5 грудня 2026 року."


class Visit:
    """One person's browser: every page is checked for axe, overflow and script errors."""

    def __init__(self, browser: Any, live_server: Any, user: Any, language: str,
                 device: str, level: str = levels.BASIC) -> None:
        self.context = browser.new_context(viewport=VIEWPORTS[device],
                                           locale="uk-UA" if language == "uk" else "en-GB")
        client = signed_in(user, level)
        name = django_settings.SESSION_COOKIE_NAME
        self.context.add_cookies([
            {"name": name, "value": client.cookies[name].value, "url": live_server.url},
            {"name": "django_language", "value": language, "url": live_server.url}])
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.base = live_server.url
        self.name = f"{device}-{language}"

    def goto(self, path: str) -> Any:
        self.page.goto(self.base + path)
        return self.page

    def check(self, shot: str) -> None:
        """Readable as it is: no axe violation, nothing wider than the screen."""
        assert axe_violations(self.page) == [], shot
        assert self.page.evaluate(
            "() => document.documentElement.scrollWidth <= window.innerWidth"), shot
        screenshot(self.page, f"appeals-{shot}-{self.name}")

    def close(self) -> None:
        assert self.errors == []
        self.context.close()


@pytest.mark.parametrize("language,device", [("uk", "desktop"), ("en", "phone")])
def test_the_whole_correspondence_is_one_thread_in_the_cabinet(
        live_server, browser, settings, receptions, resident, clerk, language,
        device) -> None:
    settings.MISTO_PUBLIC_URL = live_server.url  # where the inbox's links point
    words = WORDS[language]

    # The resident picks the reception and writes (a code sign-in is enough for appeals).
    writer = Visit(browser, live_server, resident, language, device)
    page = writer.goto("/appeals/")
    writer.check("index")
    page.get_by_role("link", name=words["reception"], exact=True).click()
    page.wait_for_url("**/appeals/write/light-head/")
    writer.check("write")
    page.check("input[name=kind][value=complaint]")
    page.fill("#f-subject", SUBJECT)
    page.fill("#f-text", TEXT)
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector(".message-success")
    appeal = Appeal.objects.get(author=resident)
    assert words["registered"] in page.locator(".message-success").inner_text()
    assert page.url.endswith(f"/appeals/{appeal.number}/")
    writer.check("registered")

    # The department's clerk finds it in the queue and asks for more information.
    office = Visit(browser, live_server, clerk, language, device, level=levels.VERIFIED)
    page = office.goto("/appeals/queue/")
    office.check("queue")
    page.get_by_role("link", name=appeal.number).first.click()
    page.wait_for_url(f"**/appeals/{appeal.number}/")
    page.get_by_text(words["ask"], exact=True).click()
    page.fill("#q-text", QUESTION)
    office.check("handle")
    page.get_by_role("button", name=words["ask_button"], exact=True).click()
    page.wait_for_selector(".message-success")
    appeal.refresh_from_db()
    assert appeal.status == Status.INFO_REQUESTED

    # The resident answers in the same thread.
    page = writer.goto(f"/appeals/{appeal.number}/")
    assert QUESTION in page.locator(".thread").inner_text()
    writer.check("info-requested")
    page.fill("#r-text", REPLY)
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector(".message-success")
    assert REPLY in page.locator(".thread").inner_text()

    # The clerk answers, before the deadline.
    page = office.goto(f"/appeals/{appeal.number}/")
    assert REPLY in page.locator(".thread").inner_text()
    page.fill("#ans-text", ANSWER)
    page.get_by_role("button", name=words["answer"], exact=True).click()
    page.wait_for_selector(".message-success")
    office.close()
    appeal.refresh_from_db()
    assert appeal.status == Status.ANSWERED
    assert appeal.answered_at is not None
    assert timezone.localdate(appeal.answered_at) <= appeal.due
    assert appeal.overdue_since is None

    # The cabinet leads to the thread, and the thread holds the whole correspondence in order.
    deliver_due()
    page = writer.goto("/notices/inbox/")
    assert page.locator("#inbox li.notice",
                        has_text=words["inbox"].format(number=appeal.number)).count() == 1
    page = writer.goto("/cabinet/")
    writer.check("cabinet")
    page.locator(f"main a[href='/appeals/{appeal.number}/']").first.click()
    page.wait_for_url(f"**/appeals/{appeal.number}/")
    items = page.locator(".thread > li")
    texts = items.all_inner_texts()
    for expected, said in zip([TEXT, QUESTION, REPLY, ANSWER], texts, strict=True):
        assert expected in said
    metas = page.locator(".thread .meta strong").all_inner_texts()
    assert metas == [words["resident"], words["office"], words["resident"], words["office"]]
    assert words["answered"] in page.locator(".clock").inner_text().lower()
    assert page.locator("#r-text").count() == 0  # an answered appeal takes no more letters
    writer.check("answered")
    page = writer.goto("/appeals/mine/")
    assert appeal.number in page.locator("main").inner_text()
    writer.check("mine")
    writer.close()
