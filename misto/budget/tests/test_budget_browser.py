"""Issue 18's flow in a real browser: a resident draws a project on the map, a clerk approves
it on its page, five residents vote (the first on the page, who then finds the ballot by its
receipt), the budget commission closes the vote on the round's page, the results show the
winner, and ``misto budget recount`` from the ledger equals the published result. On a phone in
Ukrainian and on a desktop in English; axe on every page, nothing wider than the screen."""

from __future__ import annotations

import json
import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from misto.budget import services
from misto.budget.models import Ballot, Phase, Project, Round, Status
from misto.residents import levels
from misto.testing import make_staff, world
from misto.testing.maps import wait_until_drawn
from misto.testing.visit import Visit
from misto.testing.world import make_resident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "uk": {"file": "Подати проєкт", "approve": "Допустити до голосування",
           "cast": "Проголосувати", "counted": "Ваш бюлетень враховано", "find": "Знайти",
           "move": "Перевести", "winner": "переможець"},
    "en": {"file": "File the project", "approve": "Approve for the ballot",
           "cast": "Cast my ballot", "counted": "Your ballot is counted", "find": "Find",
           "move": "Move", "winner": "winner"},
}
TITLE = "Сквер біля школи на Шевченка"


def visit(browser: Any, live_server: Any, user: Any, language: str, device: str) -> Visit:
    return Visit(browser, live_server, user, language, device, prefix="budget")


def tap(page: Any, lon: float, lat: float) -> None:
    """A tap on the map at a place (projected by the map itself, so any size works)."""
    x, y = page.evaluate("([x, y]) => { const p = window.budgetMap.project([x, y]);"
                         " return [p.x, p.y]; }", [lon, lat])
    page.locator("#budget-map").scroll_into_view_if_needed()
    box = page.locator("#budget-map").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)


@pytest.mark.parametrize("language,device", [("uk", "phone"), ("en", "desktop")])
def test_propose_on_the_map_approve_vote_verify_and_recount(
        live_server, browser, proposals: Round, author: Any, clerk: Any, language: str,
        device: str) -> None:
    words = WORDS[language]

    # A resident draws the project's area on the map (three taps) and files it.
    resident = visit(browser, live_server, author, language, device)
    page = resident.goto(f"/budget/{proposals.number}/propose/")
    wait_until_drawn(page, "window.budgetMap")
    resident.check("propose")
    page.fill("#id_title", TITLE)
    page.fill("#id_description", "Висадити двадцять дерев, поставити лавки та ліхтарі.")
    page.fill("#id_cost", "150000")
    page.evaluate("() => window.budgetMap.jumpTo({center: [35.1300, 47.8210], zoom: 16})")
    wait_until_drawn(page, "window.budgetMap")
    for lon, lat in [(35.1290, 47.8205), (35.1310, 47.8205), (35.1300, 47.8215)]:
        tap(page, lon, lat)
    drawn = json.loads(page.input_value("#id_place"))
    assert drawn["type"] == "Polygon" and len(drawn["coordinates"][0]) == 4
    page.get_by_role("button", name=words["file"]).click()
    page.wait_for_url(re.compile(r".*/budget/projects/\d+/$"))
    project = Project.objects.get(title=TITLE)
    assert project.district == world.WEST_DISTRICT and project.status == Status.SUBMITTED
    resident.close()

    # A clerk of the reviewing department approves it on its page, with the conclusion.
    office = visit(browser, live_server, clerk, language, device)
    page = office.goto(f"/budget/projects/{project.pk}/")
    office.check("review")
    page.fill("#id_reason", "Ділянка комунальна, кошторис перевірено.")
    page.get_by_role("button", name=words["approve"]).click()
    page.wait_for_url("**/budget/review/")
    project.refresh_from_db()
    assert project.status == Status.APPROVED
    office.close()
    services.do_set_phase(proposals, Phase.REVIEW)
    voting = services.do_set_phase(proposals, Phase.VOTING)

    # The first of five residents votes on the page and finds the ballot by its receipt.
    voters = [make_resident(f"voter-{i}") for i in range(5)]
    first = visit(browser, live_server, voters[0], language, device)
    page = first.goto(f"/budget/{voting.number}/")
    wait_until_drawn(page, "window.budgetMap")
    first.check("round-voting")
    page.get_by_role("checkbox", name=re.compile(TITLE)).check()
    sent: list[Any] = []
    page.on("request", lambda request: sent.append(request)
            if request.method == "POST" and "/api/budget/" in request.url else None)
    page.get_by_role("button", name=words["cast"]).click()
    page.wait_for_url(re.compile(r".*/budget/ballot/\?receipt=[0-9a-f]{20}$"))
    receipt = page.locator(".receipt-code").inner_text().strip()
    assert receipt == Ballot.objects.get().receipt
    first.check("receipt")
    # The page's own client voted: the blinded token with the session, the ballot without it.
    token, cast = (next(r for r in sent if r.url.endswith(end)) for end in ("/token", "/ballots"))
    assert "cookie" in token.all_headers() and "cookie" not in cast.all_headers()
    assert json.loads(cast.post_data)["choices"] == [project.number]
    page = first.goto(f"/budget/{voting.number}/")  # the receipt, kept on this device only
    assert page.locator("#my-receipt a").inner_text() == receipt
    assert page.locator("form.ballot-form").count() == 0
    page = first.goto("/budget/ballot/")
    page.fill("#id_receipt", receipt)
    page.get_by_role("button", name=words["find"], exact=True).click()
    assert words["counted"] in page.locator("main").inner_text()
    assert TITLE in page.locator("main").inner_text()
    first.close()
    for voter in voters[1:]:
        services.vote_here(voter, levels.VERIFIED, voting, [project.number])

    # The budget commission closes the vote; the results show the winner.
    commission = visit(browser, live_server, make_staff("budget-admin", "it_admin"),
                       language, device)
    page = commission.goto(f"/budget/{voting.number}/?district=")
    page.select_option("#id_phase", "results")
    page.get_by_role("button", name=words["move"], exact=True).click()
    page.wait_for_url(f"**/budget/{voting.number}/")
    row = page.locator("table.results tr.winner", has_text=TITLE)
    assert words["winner"] in row.inner_text()
    assert "5" in row.inner_text()
    commission.check("results")
    commission.close()

    # The recount from the public ledger equals the published result.
    out = StringIO()
    call_command("budget", "recount", voting.number, stdout=out)
    assert f"project {project.number}: ledger 5, shown 5" in out.getvalue().splitlines()
    project.refresh_from_db()
    assert project.status == Status.WINNER and project.votes == 5
