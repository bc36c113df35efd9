"""One person, one secret ballot per poll: refused twice (by the database), refused when not
eligible or after the poll closed, a client's own blinding works end to end, and the recount
from the ledger agrees (and disagrees, exit 1, when the counts shown are tampered with)."""

from __future__ import annotations

import base64
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from misto.consultations import services
from misto.consultations.errors import ConsultationsError
from misto.consultations.models import Option, Participant, Poll, PollBallot, PollKey
from misto.consultations.tests.conftest import make_poll
from misto.core import ballots as blind
from misto.ledger.models import LedgerEntry
from misto.residents import levels
from misto.testing import world
from misto.testing.world import make_resident, signed_in

pytestmark = pytest.mark.django_db


def nothing_written(poll: Poll) -> None:
    assert Participant.objects.filter(poll=poll).count() == 0
    assert PollBallot.objects.filter(poll=poll).count() == 0
    assert Poll.objects.get(pk=poll.pk).ballots_count == 0


def test_a_ballot_is_counted_found_by_its_receipt_and_recounted(poll: Poll,
                                                                voters: list[Any]) -> None:
    for index, voter in enumerate(voters):
        ballot = services.vote_here(voter, levels.VERIFIED, poll, [1 + index % 2])
    assert services.find_ballot(ballot.receipt.upper()) == ballot
    entry = LedgerEntry.objects.get(index=ballot.ledger_index)
    assert entry.kind == "consultations.ballot" and not entry.actor_ref
    assert [o.votes for o in Option.objects.filter(poll=poll)] == [3, 3, 0]
    result = services.recount(poll)
    assert result.agrees and result.ballots_ledger == 6
    out = io.StringIO()
    call_command("consultations", "recount", str(poll.pk), stdout=out)
    assert "answer 1: ledger 3, shown 3" in out.getvalue()
    assert "ballots: ledger 6, shown 6" in out.getvalue()

    Option.objects.filter(poll=poll, position=2).update(votes=4)
    with pytest.raises(SystemExit) as exited:
        call_command("consultations", "recount", str(poll.pk), stdout=io.StringIO(),
                     stderr=io.StringIO())
    assert exited.value.code == 1


def test_the_recount_command_refuses_an_unknown_poll(db: Any) -> None:
    from django.core.management.base import CommandError

    for name in ("999", "x;drop"):
        with pytest.raises(CommandError, match="poll"):
            call_command("consultations", "recount", name)


def test_a_second_vote_is_refused_by_the_database(poll: Poll, voters: list[Any]) -> None:
    services.vote_here(voters[0], levels.VERIFIED, poll, [1])
    with pytest.raises(ConsultationsError) as refused:
        services.vote_here(voters[0], levels.VERIFIED, poll, [2])
    assert refused.value.code == "already_voted" and refused.value.status == 409
    assert PollBallot.objects.filter(poll=poll).count() == 1
    # "From another browser": the API, signed in again, gets no second token either.
    client = signed_in(voters[0])
    key = blind.load_public(PollKey.objects.get(poll=poll, group=world.WEST_DISTRICT)
                            .public_key)
    blinded = blind.blind(key, blind.new_token())
    response = client.post(f"/api/consultations/polls/{poll.pk}/token", {
        "group": world.WEST_DISTRICT,
        "blinded_msg": base64.b64encode(blinded.blinded_msg).decode()},
        content_type="application/json")
    assert response.status_code == 409 and response.json()["error"] == "already_voted"
    # The constraint itself, not only the check before it.
    person_id = Participant.objects.get(poll=poll).person_id
    with pytest.raises(IntegrityError), transaction.atomic():
        Participant.objects.create(poll=poll, person_id=person_id)
    assert Poll.objects.get(pk=poll.pk).ballots_count == 1


def test_the_ineligible_are_refused_and_nothing_is_written(poll: Poll, city: world.City) -> None:
    cases = [
        (make_resident("unverified", verified=False), levels.VERIFIED, "not_eligible"),
        (make_resident("young", birth_date="2015-01-01"), levels.VERIFIED, "not_eligible"),
        (make_resident("elsewhere", district="UA0000000000000000"), levels.VERIFIED,
         "outside_district"),
        (make_resident("by-code"), levels.BASIC, "level_too_low"),
    ]
    from django.contrib.auth import get_user_model

    cases.append((get_user_model().objects.create_user("no-register"), levels.VERIFIED,
                  "not_eligible"))
    for user, level, code in cases:
        with pytest.raises(ConsultationsError) as refused:
            services.vote_here(user, level, poll, [1])
        assert refused.value.code == code, user.username
    nothing_written(poll)
    response = signed_in(cases[0][0]).post(
        f"/api/consultations/polls/{poll.pk}/token",
        {"group": world.WEST_DISTRICT, "blinded_msg": base64.b64encode(b"\x01" * 128).decode()},
        content_type="application/json")
    assert response.status_code == 403 and response.json()["error"] == "not_eligible"
    nothing_written(poll)


def independent_token(client: Any, poll: Poll, group: str) -> tuple[bytes, bytes]:
    """An independent voting client: its own token and blinding; the city sees neither."""
    keys = {k["group"]: k["public_key"]
            for k in client.get(f"/api/consultations/polls/{poll.pk}/keys").json()}
    key = blind.load_public(keys[group])
    token = blind.new_token()
    blinded = blind.blind(key, token)
    response = client.post(f"/api/consultations/polls/{poll.pk}/token", {
        "group": group, "blinded_msg": base64.b64encode(blinded.blinded_msg).decode()},
        content_type="application/json")
    assert response.status_code == 200, response.content
    issued = base64.b64decode(response.json()["blind_signature"])
    return token, blind.finalize(key, token, issued, blinded.inverse)


def test_an_independent_client_votes_and_reused_or_forged_tokens_are_refused(
        poll: Poll, voters: list[Any]) -> None:
    from django.test import Client

    token, signature = independent_token(signed_in(voters[0]), poll, world.WEST_DISTRICT)
    anonymous = Client()

    def cast(token: bytes, signature: bytes, choices: list[int]) -> Any:
        return anonymous.post(f"/api/consultations/polls/{poll.pk}/ballots", {
            "group": world.WEST_DISTRICT, "token": base64.b64encode(token).decode(),
            "signature": base64.b64encode(signature).decode(), "choices": choices},
            content_type="application/json")

    assert cast(token, signature, [1, 2]).json()["error"] == "bad_choice"  # single choice
    first = cast(token, signature, [3])
    assert first.status_code == 201, first.content
    receipt = first.json()["receipt"]
    assert anonymous.get(f"/api/consultations/ballots/{receipt}").json()["choices"] == [3]
    again = cast(token, signature, [1])
    assert again.status_code == 409 and again.json()["error"] == "token_used"
    forged = cast(blind.new_token(), signature, [1])
    assert forged.status_code == 403 and forged.json()["error"] == "bad_token"
    assert Poll.objects.get(pk=poll.pk).ballots_count == 1
    assert services.recount(poll).agrees


def test_after_the_close_votes_are_refused_and_the_results_are_public(
        poll: Poll, voters: list[Any]) -> None:
    from django.test import Client

    token, signature = independent_token(signed_in(voters[0]), poll, world.WEST_DISTRICT)
    services.vote_here(voters[1], levels.VERIFIED, poll, [2])
    anonymous = Client()
    hidden = anonymous.get(f"/api/consultations/polls/{poll.pk}/results")
    assert hidden.status_code == 409
    assert anonymous.get(f"/api/consultations/polls/{poll.pk}").json()["ballots"] is None
    services.do_close(poll)
    poll.refresh_from_db()
    with pytest.raises(ConsultationsError) as refused:
        services.vote_here(voters[2], levels.VERIFIED, poll, [1])
    assert refused.value.code == "wrong_state"
    late = anonymous.post(f"/api/consultations/polls/{poll.pk}/ballots", {
        "group": world.WEST_DISTRICT, "token": base64.b64encode(token).decode(),
        "signature": base64.b64encode(signature).decode(), "choices": [1]},
        content_type="application/json")
    assert late.status_code == 409 and late.json()["error"] == "wrong_state"
    shown = anonymous.get(f"/api/consultations/polls/{poll.pk}/results").json()
    assert shown["ballots"] == 1 and [o["votes"] for o in shown["options"]] == [0, 1, 0]
    # One ballot in the west: below the threshold, so no district is shown apart.
    assert shown["districts"] == [] and shown["districts_withheld"] == 1
    assert LedgerEntry.objects.filter(kind="consultations.result").count() == 1


def test_a_district_is_shown_apart_only_with_enough_ballots(
        poll: Poll, monkeypatch: pytest.MonkeyPatch, voters: list[Any]) -> None:
    monkeypatch.setenv("MISTO_CONSULTATIONS_MIN_GROUP", "3")
    for voter in voters:  # four in the west, two in the east
        services.vote_here(voter, levels.VERIFIED, poll, [1])
    services.do_close(poll)
    found = services.results(poll)
    assert list(found.districts) == [world.WEST_DISTRICT]
    assert found.districts[world.WEST_DISTRICT] == (4, [4, 0, 0]) and found.withheld == 1


def test_multiple_choice_and_free_text(city: world.City, clerk: Any,
                                       voters: list[Any]) -> None:
    poll = make_poll(clerk, [], choice="multiple", max_choices=2, free_text=True,
                     live_results=True)
    ballot = services.vote_here(voters[0], levels.VERIFIED, poll, [1, 3], "Лише влітку")
    entry = LedgerEntry.objects.get(index=ballot.ledger_index)
    assert "Лише влітку" not in str(entry.payload) and "text_sha256" in str(entry.payload)
    with pytest.raises(ConsultationsError) as refused:
        services.vote_here(voters[1], levels.VERIFIED, poll, [1, 2, 3])
    assert refused.value.code == "bad_choice" and refused.value.field == "choices"
    assert services.results_public(poll) and services.recount(poll).agrees


def test_a_poll_only_moves_forward(poll: Poll) -> None:
    with pytest.raises(ConsultationsError) as refused:
        services.do_publish(poll)
    assert refused.value.code == "wrong_state"
    services.do_close(poll)
    with pytest.raises(ConsultationsError):
        services.do_close(poll)


@pytest.mark.parametrize("changes, field", [
    ({"options": [("Так", "")]}, "options"),
    ({"choice": "multiple", "max_choices": 9}, "max_choices"),
    ({"districts": ["UA-nowhere"]}, "districts"),
    ({"by_district": True}, "districts"),
])
def test_a_bad_poll_is_refused_with_its_field(city: world.City, changes: dict[str, Any],
                                              field: str) -> None:
    from datetime import timedelta

    from django.utils import timezone

    args: dict[str, Any] = {"options": [("Так", ""), ("Ні", "")]}
    args.update(changes)
    with pytest.raises(ConsultationsError) as refused:
        services.check_poll("Питання", "", args.pop("options"),
                            closes_at=timezone.now() + timedelta(days=1), **args)
    assert refused.value.field == field
