"""The pages in both languages: propose on the map, review, vote and find the ballot,
results and the recount; staff pages refuse residents."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.test import Client
from PIL import Image

from misto.budget import datasets, services
from misto.budget.models import Ballot, Phase, Project, Round, Status
from misto.budget.tests.conftest import TEXT, numbers
from misto.core.outbox import deliver_due
from misto.residents import levels
from misto.testing import make_staff, world
from misto.testing.world import signed_in

pytestmark = pytest.mark.django_db


def test_a_resident_proposes_a_drawn_area_and_a_clerk_approves_it(proposals: Round,
                                                                   author: Any,
                                                                   clerk: Any) -> None:
    client = signed_in(author)
    page = client.get(f"/budget/{proposals.number}/propose/")
    assert page.status_code == 200 and "budget-map" in page.content.decode()
    area = {"type": "Polygon", "coordinates": [[[35.13, 47.82], [35.131, 47.82],
                                                [35.131, 47.821], [35.13, 47.82]]]}
    bad = client.post(f"/budget/{proposals.number}/propose/", {
        "title": "Сквер", "description": "коротко", "cost": "100000", "place": ""})
    assert bad.status_code == 422
    image = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(image, "PNG")
    image.seek(0)
    image.name = "place.png"
    made = client.post(f"/budget/{proposals.number}/propose/", {
        "title": "Сквер біля школи", "cost": "120000", "place": json.dumps(area),
        "description": "Висадити дерева, поставити лавки та ліхтарі у сквері.",
        "photos": [image]})
    assert made.status_code == 303, made.content.decode()[:500]
    project = Project.objects.get(title="Сквер біля школи")
    assert project.district == world.WEST_DISTRICT and project.place.geom_type == "Polygon"
    photo = project.photos.get()
    served = Client().get(photo.get_absolute_url())
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert photo.get_absolute_url() in Client().get(f"/budget/projects/{project.pk}/") \
        .content.decode()
    assert signed_in(author).get("/budget/review/").status_code == 403
    staff = Client()
    staff.force_login(clerk)
    assert project.number in staff.get("/budget/review/").content.decode()
    staff.post(f"/budget/review/{project.pk}/", {"decision": "approve", "reason": "Реалізовно.",
                                                 "cost": "110000"})
    project.refresh_from_db()
    assert project.status == Status.APPROVED and project.cost == 110_000
    while deliver_due(limit=100):  # the worker's turn: the author hears of the review
        pass
    inbox = signed_in(author).get("/notices/inbox/").content.decode()
    assert f"Проєкт № {project.number} допущено до голосування" in inbox


@pytest.mark.parametrize("language", ["uk", "en"])
def test_a_resident_votes_on_the_page_and_finds_the_ballot(voting: Round, voters: list[Any],
                                                           language: str) -> None:
    n = numbers(voting)
    client = signed_in(voters[0])
    client.cookies["django_language"] = language
    page = client.get(f"/budget/{voting.number}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert n["Майданчик"] in page and n["Лавки"] not in page  # my district and city-wide
    assert ("Cast my ballot" if language == "en" else "Проголосувати") in page
    answer = client.post(f"/budget/{voting.number}/vote/", {"project": [n["Майданчик"]]})
    ballot = Ballot.objects.get()
    assert answer.status_code == 303 and ballot.receipt in answer["Location"]
    found = client.get(answer["Location"], HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert ballot.receipt in found and "Майданчик на Шевченка" in found
    again = client.post(f"/budget/{voting.number}/vote/", {"project": [n["Ліхтарі"]]},
                        follow=True)
    assert Ballot.objects.count() == 1
    assert ("already voted" if language == "en" else "вже проголосували") in \
        again.content.decode()
    assert Client().get("/budget/ballot/?receipt=0123456789abcdef0123").status_code == 404


def test_results_and_recount_pages(voting: Round, voters: list[Any]) -> None:
    n = numbers(voting)
    from misto.notifications.models import Announcement
    from misto.notifications.services import ensure_default_topics

    ensure_default_topics()
    services.vote_here(voters[0], levels.VERIFIED, voting, [n["Майданчик"]])
    services.do_set_phase(voting, Phase.RESULTS)
    while deliver_due(limit=100):  # the worker's turn: the districts hear of the results
        pass
    told = Announcement.objects.get(title_uk="Громадський бюджет 2026: результати")
    assert sorted(told.districts) == sorted([world.WEST_DISTRICT, world.EAST_DISTRICT])
    assert "Громадський бюджет" in told.body_uk
    page = Client().get(f"/budget/{voting.number}/?district=").content.decode()
    assert "Результати" in page and "Майданчик на Шевченка" in page
    recount = Client().get(f"/budget/{voting.number}/recount/").content.decode()
    assert "збігаються" in recount
    api = Client().get(f"/api/budget/rounds/{voting.number}/results").json()
    assert any(n["Майданчик"] in pool["winners"] for pool in api["pools"])
    pb = Client().get(f"/budget/{voting.number}/pabulib.pb", {"district": world.WEST_DISTRICT})
    assert pb.status_code == 200 and pb.content.decode().startswith("META")
    assert Client().get("/budget/nope/").status_code == 404
    rows = list(datasets.projects())  # the open dataset: places and outcomes, no person
    assert {r["number"] for r in rows} == set(n.values()) and "author" not in rows[0]
    assert all(r["geometry"]["type"] in ("Point", "Polygon") for r in rows)


def test_the_author_answers_once_and_a_winner_s_implementation_is_public(
        voting: Round, voters: list[Any], author: Any) -> None:
    n = numbers(voting)
    rejected = Project.objects.get(number=n["Фонтан"])
    client = signed_in(author)
    client.post(f"/budget/projects/{rejected.pk}/answer/", {"text": "Пропоную інше місце."})
    again = client.post(f"/budget/projects/{rejected.pk}/answer/", {"text": "Ще раз."},
                        follow=True)
    rejected.refresh_from_db()
    assert rejected.author_answer == "Пропоную інше місце."
    assert "відповідає один раз" in again.content.decode()
    assert signed_in(voters[0]).post(f"/budget/projects/{rejected.pk}/answer/",
                                     {"text": "x"}).status_code == 404
    services.vote_here(voters[0], levels.VERIFIED, voting, [n["Майданчик"]])
    services.do_set_phase(voting, Phase.RESULTS)
    winner = Project.objects.get(number=n["Майданчик"])
    keeper = make_staff("budget-keeper", "clerk", department="economy")
    staff = Client()
    staff.force_login(keeper)
    staff.post(f"/budget/projects/{winner.pk}/progress/",
               {"stage": "done", "spent": "95000", "note": "Майданчик відкрито."})
    winner.refresh_from_db()
    assert winner.status == Status.DONE and winner.spent == 95_000
    page = Client().get(f"/budget/projects/{winner.pk}/").content.decode()
    assert "Майданчик відкрито." in page and "Реалізація" in page
    api = Client().get(f"/api/budget/projects/{winner.pk}").json()
    assert api["progress"][0]["stage"] == "done" and api["spent"] == 95_000


def test_a_proposal_carries_its_cost_estimate_lines(proposals: Any, author: Any) -> None:
    """Issue 18, item 1: cost estimate lines, adding up to the cost; shown on the page and
    in the API; lines that do not add up are refused with the field."""
    client = signed_in(author)
    lines: list[dict[str, Any]] = [{"item": "Лавки, 10 шт.", "amount": 60_000},
                                   {"item": "Монтаж", "amount": 30_000}]
    body = {"title": "Лавки на набережній", "description": TEXT, "cost": 100_000,
            "place": {"type": "Point", "coordinates": list(world.ON_SHEVCHENKA)},
            "lines": lines}
    wrong = client.post(f"/api/budget/rounds/{proposals.number}/proposals", body,
                        content_type="application/json")
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid"
    assert not Project.objects.exists()
    lines[1]["amount"] = 40_000
    made = client.post(f"/api/budget/rounds/{proposals.number}/proposals", body,
                       content_type="application/json")
    assert made.status_code == 201, made.content
    assert [line["amount"] for line in made.json()["cost_lines"]] == [60_000, 40_000]
    page = client.get(f"/budget/projects/{made.json()['id']}/").content.decode()
    assert "Лавки, 10 шт." in page and "Монтаж" in page
    form = client.post(f"/budget/{proposals.number}/propose/", {
        "title": "Ліхтарі у сквері", "description": TEXT, "cost": "50000",
        "place": '{"type": "Point", "coordinates": [35.131, 47.821]}',
        "lines": "Ліхтарі; 30 000\nбез суми"})
    assert form.status_code == 422 and Project.objects.count() == 1
