"""The stored ballots cannot be joined to voters: no column, row, log line or event links a
ballot (its token or receipt) to a person (docs/budget.md, "threat model"). Checked with
plain SQL over every table of the database, the outbox included."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from misto.budget import services
from misto.budget.models import Ballot, Round, Voter
from misto.budget.tests.conftest import numbers
from misto.core.models import OutboxEvent
from misto.residents import levels
from misto.residents.models import Person
from misto.testing.secrecy import tables_holding

pytestmark = pytest.mark.django_db


def test_no_table_row_or_event_joins_a_ballot_to_a_voter(voting: Round, voters: list[Any],
                                                         caplog: Any) -> None:
    n = numbers(voting)
    caplog.set_level(logging.DEBUG)
    ballots = []
    for index, voter in enumerate(voters):
        district = Person.objects.get(user=voter).district
        choice = [n["Майданчик"]] if district == Person.objects.get(user=voters[0]).district \
            else [n["Лавки"]]
        ballots.append(services.vote_here(voter, levels.VERIFIED, voting,
                                          choice + ([n["Переходи"]] if index % 2 else [])))
    secrets = {b.token for b in Ballot.objects.all()} | {b.receipt for b in Ballot.objects.all()}
    assert len(secrets) == 2 * len(voters)
    people = Person.objects.filter(user__in=voters)
    markers = {str(p.uuid) for p in people} | {v.username for v in voters}

    # The two tables of the vote hold nothing that points at the other.
    ballot_columns = {f.column for f in Ballot._meta.concrete_fields}
    voter_columns = {f.column for f in Voter._meta.concrete_fields}
    assert ballot_columns == {"id", "round_id", "district", "token", "receipt", "choices",
                              "ledger_index"}
    assert voter_columns == {"id", "round_id", "person_id"}

    assert tables_holding(secrets, markers) == {"budget_ballot", "ledger_ledgerentry"}

    # Events: a ballot is announced with its round and district only.
    cast = OutboxEvent.objects.filter(name="budget.BallotCast")
    assert cast.count() == len(voters)
    assert all(set(e.payload) == {"round", "district"} for e in cast)
    assert not any(secret in str(e.payload) for e in OutboxEvent.objects.all()
                   for secret in secrets)

    # Log lines: no token or receipt at any level.
    assert not any(secret in record.getMessage() for record in caplog.records
                   for secret in secrets)
