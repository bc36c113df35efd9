"""Issue 17's appeal, in a real browser: one thread from the letter to the answer.

A resident writes to the head of street lighting's reception, the department's clerk asks for
more information, the resident answers in the same thread, the clerk answers before the
deadline, and the resident's cabinet leads to the thread with the whole correspondence. On a
desktop in Ukrainian and on a phone in English; axe runs on each page and nothing may be wider
than the screen.
"""

from __future__ import annotations

from functools import partial

import pytest
from django.utils import timezone

from misto.appeals.models import Appeal, Status
from misto.core.outbox import deliver_due
from misto.residents import levels
from misto.testing.visit import Visit as SharedVisit

from .conftest import TEXT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

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


# One person's checked browser (misto.testing.visit), named for this module's screenshots.
Visit = partial(SharedVisit, prefix="appeals", level=levels.BASIC)


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
