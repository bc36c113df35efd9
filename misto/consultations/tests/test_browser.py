"""Issue 18's poll flow in a real browser: a resident answers a poll on its page, gets the
receipt, finds the ballot in the poll's public list of every ballot, cannot answer again, and
sees the results once the organiser closes the poll. On a phone in Ukrainian and on a desktop
in English; axe on every page, nothing wider than the screen."""

from __future__ import annotations

import re
from typing import Any

import pytest

from misto.consultations.models import Poll, PollBallot
from misto.consultations.tests.conftest import make_poll
from misto.testing.visit import Visit
from misto.testing.world import make_resident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "uk": {"cast": "Подати мій таємний бюлетень", "counted": "Ваш бюлетень враховано",
           "among": "Переглянути його серед усіх бюлетенів опитування",
           "answered": "Ви відповіли на це опитування", "close": "Завершити опитування зараз",
           "agrees": "Перерахунок за реєстром збігається", "answer": "Лише у вихідні"},
    "en": {"cast": "Cast my secret ballot", "counted": "Your ballot is counted",
           "among": "See it among every ballot of the poll",
           "answered": "You have answered this poll", "close": "Close the poll now",
           "agrees": "The recount from the ledger agrees", "answer": "Weekends only"},
}


def visit(browser: Any, live_server: Any, user: Any, language: str, device: str) -> Visit:
    return Visit(browser, live_server, user, language, device, prefix="consultations")


@pytest.mark.parametrize("language,device", [("uk", "phone"), ("en", "desktop")])
def test_vote_find_the_receipt_among_the_ballots_and_see_the_results(
        live_server: Any, browser: Any, city: Any, clerk: Any, language: str,
        device: str) -> None:
    words = WORDS[language]
    poll = make_poll(clerk, [city.west, city.east])
    resident = visit(browser, live_server, make_resident("poll-voter"), language, device)
    page = resident.goto(f"/consultations/polls/{poll.pk}/")
    resident.check("poll")
    page.get_by_role("radio", name=words["answer"]).check()
    page.get_by_role("button", name=words["cast"]).click()
    page.wait_for_url(re.compile(r".*/consultations/ballot/\?receipt=[0-9a-f]{20}$"))
    receipt = page.locator(".receipt-code").inner_text().strip()
    assert receipt == PollBallot.objects.get().receipt
    assert words["counted"] in page.locator("main").inner_text()
    resident.check("receipt")
    page.get_by_role("link", name=words["among"]).click()
    mine = page.locator("tr.mine")
    assert receipt in mine.inner_text() and "3" in mine.inner_text()
    assert words["agrees"] in page.locator("main").inner_text()
    resident.check("ballots")
    page = resident.goto(f"/consultations/polls/{poll.pk}/")
    assert words["answered"] in page.locator("main").inner_text()
    assert page.get_by_role("button", name=words["cast"]).count() == 0

    organiser = visit(browser, live_server, clerk, language, device)
    page = organiser.goto(f"/consultations/polls/{poll.pk}/")
    page.get_by_role("button", name=words["close"]).click()
    page.wait_for_url(f"**/consultations/polls/{poll.pk}/")
    organiser.close()
    assert Poll.objects.get(pk=poll.pk).state == "closed"

    page = resident.goto(f"/consultations/polls/{poll.pk}/")
    chart = page.locator("ul.chart")
    assert words["answer"] in chart.inner_text() and "100%" in chart.inner_text()
    resident.check("results")
    resident.close()
