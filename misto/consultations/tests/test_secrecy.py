"""The stored ballots cannot be joined to voters: no column, row, log line or event links a
poll's ballot (its token or receipt) to a person (docs/consultations.md, "threat model").
Checked with plain SQL over every table of the database, the outbox included."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from misto.consultations import services
from misto.consultations.models import Participant, Poll, PollBallot
from misto.core.models import OutboxEvent
from misto.residents import levels
from misto.residents.models import Person
from misto.testing.secrecy import tables_holding

pytestmark = pytest.mark.django_db


def test_no_table_row_or_event_joins_a_ballot_to_a_voter(poll: Poll, voters: list[Any],
                                                         caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    for index, voter in enumerate(voters):
        services.vote_here(voter, levels.VERIFIED, poll, [1 + index % 3])
    rows_of = PollBallot.objects.all()
    secrets = {b.token for b in rows_of} | {b.receipt for b in rows_of}
    assert len(secrets) == 2 * len(voters)
    people = Person.objects.filter(user__in=voters)
    markers = {str(p.uuid) for p in people} | {v.username for v in voters}

    assert {f.column for f in PollBallot._meta.concrete_fields} == {
        "id", "poll_id", "group", "token", "receipt", "choices", "text", "ledger_index"}
    assert {f.column for f in Participant._meta.concrete_fields} == {"id", "poll_id",
                                                                     "person_id"}
    assert tables_holding(secrets, markers) == {"consultations_pollballot",
                                                "ledger_ledgerentry"}

    cast = OutboxEvent.objects.filter(name="consultations.BallotCast")
    assert cast.count() == len(voters)
    assert all(set(e.payload) == {"poll_id", "group"} for e in cast)
    assert not any(secret in str(e.payload) for e in OutboxEvent.objects.all()
                   for secret in secrets)
    assert not any(secret in record.getMessage() for record in caplog.records
                   for secret in secrets)
