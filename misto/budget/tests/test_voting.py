"""One person one vote, secret and recountable: the refusals change nothing (API and
database), a client's own blinding works end to end, and the recount reads the ledger."""

from __future__ import annotations

import base64
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from misto.budget import services
from misto.budget.errors import BudgetCode, BudgetError
from misto.budget.models import Ballot, DistrictBudget, Phase, Project, Round, Voter
from misto.budget.tests.conftest import numbers
from misto.core import ballots as blind
from misto.ledger.models import LedgerEntry
from misto.residents import levels
from misto.testing import world
from misto.testing.world import make_resident, signed_in

pytestmark = pytest.mark.django_db


def state(found: Round) -> tuple[Any, ...]:
    """Everything a refused vote must leave as it was."""
    found.refresh_from_db()
    return (found.ballots_count, Voter.objects.count(), Ballot.objects.count(),
            LedgerEntry.objects.count(),
            tuple(Project.objects.order_by("number").values_list("votes", flat=True)))


def refused(code: BudgetCode, call: Any, *args: Any) -> None:
    with pytest.raises(BudgetError) as caught:
        call(*args)
    assert caught.value.code == code


def test_a_ballot_is_counted_in_the_ledger_and_found_by_its_receipt(voting: Round,
                                                                     voters: list[Any]) -> None:
    n = numbers(voting)
    ballot = services.vote_here(voters[0], levels.VERIFIED, voting, [n["Майданчик"], n["Переходи"]])
    assert services.find_ballot(ballot.receipt) == ballot
    entry = LedgerEntry.objects.get(index=ballot.ledger_index)
    data = json.loads(entry.payload)["data"]
    assert data["choices"] == sorted([n["Майданчик"], n["Переходи"]])
    assert data["receipt"] == ballot.receipt and entry.actor_ref is None
    key = blind.load_public(DistrictBudget.objects.get(round=voting, district=world.WEST_DISTRICT)
                            .public_key)
    assert blind.verify(key, base64.b64decode(data["token"]), base64.b64decode(data["signature"]))
    voted = dict(Project.objects.values_list("number", "votes"))
    assert voted[n["Майданчик"]] == 1 and voted[n["Переходи"]] == 1 and voted[n["Ліхтарі"]] == 0


def test_the_refusals_change_nothing(voting: Round, voters: list[Any],
                                     city: world.City) -> None:
    n = numbers(voting)
    services.vote_here(voters[0], levels.VERIFIED, voting, [n["Майданчик"]])
    before = state(voting)
    refused(BudgetCode.ALREADY_VOTED, services.vote_here, voters[0], levels.VERIFIED, voting,
            [n["Ліхтарі"]])
    refused(BudgetCode.OUTSIDE_DISTRICT, services.vote_here, voters[1], levels.VERIFIED, voting,
            [n["Лавки"]])  # an east project for a west voter
    stranger = make_resident("stranger", district="UA99999999999999999")
    refused(BudgetCode.OUTSIDE_DISTRICT, services.vote_here, stranger, levels.VERIFIED, voting,
            [n["Переходи"]])
    young = make_resident("young", birth_date="2015-01-01")
    refused(BudgetCode.NOT_ELIGIBLE, services.vote_here, young, levels.VERIFIED, voting,
            [n["Майданчик"]])
    unverified = make_resident("unverified", verified=False)
    refused(BudgetCode.NOT_ELIGIBLE, services.vote_here, unverified, levels.VERIFIED, voting,
            [n["Майданчик"]])
    refused(BudgetCode.LEVEL_TOO_LOW, services.vote_here, voters[1], levels.BASIC, voting,
            [n["Майданчик"]])
    refused(BudgetCode.BAD_CHOICE, services.vote_here, voters[1], levels.VERIFIED, voting,
            [n["Майданчик"], n["Ліхтарі"], n["Переходи"]])  # three of at most two
    refused(BudgetCode.BAD_CHOICE, services.vote_here, voters[1], levels.VERIFIED, voting,
            [n["Фонтан"]])  # rejected: not on the ballot
    assert state(voting) == before
    services.do_set_phase(voting, Phase.RESULTS)
    before = state(voting)
    refused(BudgetCode.WRONG_PHASE, services.vote_here, voters[1], levels.VERIFIED, voting,
            [n["Майданчик"]])
    assert state(voting) == before


def _client_token(client: Any, found: Round, district: str) -> tuple[bytes, bytes]:
    """An independent voting client: its own token and blinding; the city sees neither."""
    keys = {row["district"]: row["public_key"]
            for row in client.get(f"/api/budget/rounds/{found.number}/keys").json()}
    key = blind.load_public(keys[district])
    token = blind.new_token()
    blinded = blind.blind(key, token)
    response = client.post(f"/api/budget/rounds/{found.number}/token",
                           {"district": district,
                            "blinded_msg": base64.b64encode(blinded.blinded_msg).decode()},
                           content_type="application/json")
    assert response.status_code == 200, response.content
    issued = base64.b64decode(response.json()["blind_signature"])
    return token, blind.finalize(key, token, issued, blinded.inverse)


def test_an_independent_client_votes_and_a_reused_or_forged_token_is_refused(
        voting: Round, voters: list[Any]) -> None:
    n = numbers(voting)
    client = signed_in(voters[0])
    east = client.post(f"/api/budget/rounds/{voting.number}/token",
                       {"district": world.EAST_DISTRICT,
                        "blinded_msg": base64.b64encode(b"\x01" * 128).decode()},
                       content_type="application/json")
    assert east.status_code == 403 and east.json()["error"] == "outside_district"
    district = world.WEST_DISTRICT
    token, signature = _client_token(client, voting, district)
    url = f"/api/budget/rounds/{voting.number}/ballots"

    def cast(token: bytes, signature: bytes, choices: list[str], district: str = district) -> Any:
        return client.post(url, {"district": district, "token": base64.b64encode(token).decode(),
                                 "signature": base64.b64encode(signature).decode(),
                                 "choices": choices}, content_type="application/json")

    again = client.post(f"/api/budget/rounds/{voting.number}/token",
                        {"district": district,
                         "blinded_msg": base64.b64encode(b"\x01" * 128).decode()},
                        content_type="application/json")
    assert again.status_code == 409 and again.json()["error"] == "already_voted"
    answer = cast(token, signature, [n["Майданчик"]])
    assert answer.status_code == 201, answer.content
    receipt = answer.json()["receipt"]
    assert client.get(f"/api/budget/ballots/{receipt}").json()["choices"] == [n["Майданчик"]]
    before = state(voting)
    reused = cast(token, signature, [n["Ліхтарі"]])
    assert reused.status_code == 409 and reused.json()["error"] == "token_used"
    forged = cast(blind.new_token(), signature, [n["Ліхтарі"]])
    assert forged.status_code == 403 and forged.json()["error"] == "bad_token"
    other = cast(token, signature, [n["Лавки"]], district=world.EAST_DISTRICT)
    assert other.status_code == 403 and other.json()["error"] == "bad_token"
    assert state(voting) == before
    with connection.cursor() as cursor:  # the database itself refuses a second token row
        cursor.execute("SELECT COUNT(*) FROM budget_ballot WHERE token = %s",
                       [base64.b64encode(token).decode()])
        assert cursor.fetchone()[0] == 1


def test_recount_from_the_ledger_equals_the_results_and_catches_a_changed_count(
        voting: Round, voters: list[Any]) -> None:
    n = numbers(voting)
    for voter in voters[:4]:
        services.vote_here(voter, levels.VERIFIED, voting, [n["Майданчик"]])
    services.vote_here(voters[4], levels.VERIFIED, voting, [n["Лавки"], n["Переходи"]])
    services.do_set_phase(voting, Phase.RESULTS)
    winners = {p.number for pool in services.select_winners(voting) for p in pool.winners}
    assert winners == {n["Майданчик"], n["Лавки"], n["Переходи"]}
    out = StringIO()
    call_command("budget", "recount", voting.number, stdout=out)
    lines = out.getvalue().splitlines()
    assert f"project {n['Майданчик']}: ledger 4, shown 4" in lines
    assert f"project {n['Ліхтарі']}: ledger 0, shown 0" in lines
    result = LedgerEntry.objects.filter(kind=services.RESULT_KIND).get()
    pools = json.loads(result.payload)["data"]["pools"]
    assert {w for pool in pools for w in pool["winners"]} == winners
    Project.objects.filter(number=n["Ліхтарі"]).update(votes=3)
    with pytest.raises(SystemExit) as exit_code:
        call_command("budget", "recount", voting.number, stdout=StringIO(), stderr=StringIO())
    assert exit_code.value.code == 1
    pb = services.pabulib(voting, world.WEST_DISTRICT)
    assert "PROJECTS" in pb and f"{n['Майданчик']};100000;4;" in pb
