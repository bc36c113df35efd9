"""The stored ballots cannot be joined to voters: no column, row, log line or event links a
ballot (its token or receipt) to a person (docs/budget.md, "threat model"). Checked with
plain SQL over every table of the database, the outbox included."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.db import connection

from misto.budget import services
from misto.budget.models import Ballot, Round, Voter
from misto.budget.tests.conftest import numbers
from misto.core.models import OutboxEvent
from misto.residents import levels
from misto.residents.models import Person

pytestmark = pytest.mark.django_db


def every_row() -> dict[str, list[tuple[list[str], tuple[Any, ...]]]]:
    """Every row of every table, with its column names, by plain SQL."""
    found: dict[str, list[tuple[list[str], tuple[Any, ...]]]] = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table.startswith(("sqlite_", "spatial_ref_sys", "geometry_columns", "spatialite",
                                 "sql_statements_log", "views_", "virts_", "SpatialIndex",
                                 "ElementaryGeometries", "KNN", "data_licenses")):
                continue
            cursor.execute(f'SELECT * FROM "{table}"')  # names from the catalogue
            columns = [c[0] for c in cursor.description]
            found[table] = [(columns, row) for row in cursor.fetchall()]
    return found


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

    rows = every_row()
    holding = {table for table, table_rows in rows.items()
               for _columns, row in table_rows
               if any(secret in str(value) for value in row for secret in secrets)}
    assert holding == {"budget_ballot", "ledger_ledgerentry"}
    for table in holding:
        for columns, row in rows[table]:
            text = " ".join(map(str, row))
            if not any(secret in text for secret in secrets):
                continue
            assert not any(marker in text for marker in markers), table
            record = dict(zip(columns, row, strict=True))
            assert record.get("actor_ref") in (None, ""), "a ballot's ledger entry names no actor"

    # Events: a ballot is announced with its round and district only.
    cast = OutboxEvent.objects.filter(name="budget.BallotCast")
    assert cast.count() == len(voters)
    assert all(set(e.payload) == {"round", "district"} for e in cast)
    assert not any(secret in str(e.payload) for e in OutboxEvent.objects.all()
                   for secret in secrets)

    # Log lines: no token or receipt at any level.
    assert not any(secret in record.getMessage() for record in caplog.records
                   for secret in secrets)
