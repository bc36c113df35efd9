"""Polls benchmark: secret poll ballots end to end (eligibility + token issue + blinding +
cast + ledger) and the recount from the ledger, against a raw insert of the ballot row.

    .venv/bin/python bench/consultations.py [--voters N] [--ballots B]

Uses the database in DATABASE_URL (default: a SpatiaLite file of its own under var/bench/).
THE CONSULTATIONS, LEDGER AND REGISTER TABLES OF THAT DATABASE ARE EMPTIED. The demo city's
districts are added when the twin lacks them.

1. N register entries with accounts, spread over the districts, made in bulk (not timed);
   one open poll with results by district (an RSA-2048 key per district), three answers.
2. Baseline: B single-row INSERTs of poll ballot rows, one transaction each.
3. Misto: B voters answer through ``services.vote_here``, one transaction each (the poll
   page's server-side client): the register's eligibility, the participant row under its
   unique constraint, RFC 9474 blind, blind-sign, finalize and verify, the ballot row, the
   counts, the ledger entry under the ledger's lock, the BallotCast event.
4. The recount (``services.recount``): every ballot read back from the ledger, its token
   signature verified with the district's key, every answer tallied.

Last line: ``ratio=<casting seconds / raw insert seconds>`` (the same B rows).
"""

from __future__ import annotations

import argparse
import base64
import secrets
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ballots import districts, electorate
from common import setup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voters", type=int, default=20_000)
    parser.add_argument("--ballots", type=int, default=2_000)
    args = parser.parse_args()
    args.ballots = min(args.ballots, args.voters)
    vendor = setup("consultations")

    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from misto.consultations import services
    from misto.consultations.models import Participant, Poll, PollBallot
    from misto.ledger.models import LedgerEntry, LedgerState
    from misto.residents import levels
    from misto.residents.models import Person

    PollBallot.objects.all().delete()
    Participant.objects.all().delete()
    Poll.objects.all().delete()
    LedgerEntry.objects.all().delete()
    LedgerState.objects.all().delete()
    Person.objects.all().delete()
    get_user_model().objects.filter(username__startswith="bench-").delete()
    codes = districts()

    began = time.perf_counter()
    users = electorate(args.voters, codes)
    poll = services.do_publish(services.do_create_poll(None, services.check_poll(
        "Бенчмарк", "Bench", [("Так", "Yes"), ("Ні", "No"), ("Байдуже", "Either")],
        closes_at=timezone.now() + timedelta(days=1), districts=codes, by_district=True)))
    print(f"database: {vendor}; {args.voters:,} register entries in {len(codes)} districts "
          f"made in {time.perf_counter() - began:.1f} s (not timed)")

    raw = services.do_create_poll(None, services.check_poll(
        "raw", "", [("1", ""), ("2", "")], closes_at=timezone.now() + timedelta(days=1)))
    began = time.perf_counter()
    for i in range(args.ballots):
        with transaction.atomic():
            text = base64.b64encode(secrets.token_bytes(32)).decode()
            PollBallot.objects.create(poll=raw, group=codes[i % len(codes)], token=text,
                                      receipt=text[:20], choices=[1 + i % 3], ledger_index=i)
    raw_seconds = time.perf_counter() - began
    PollBallot.objects.filter(poll=raw).delete()
    print(f"raw insert: {args.ballots:,} ballot rows in {raw_seconds:.2f} s = "
          f"{args.ballots / raw_seconds:,.0f}/s")

    by_id = {user.pk: user for user in users}
    people = list(Person.objects.order_by("pk").values_list("user_id", flat=True))
    began = time.perf_counter()
    for index, user_id in enumerate(people[:args.ballots]):
        services.vote_here(by_id[user_id], levels.VERIFIED, poll, [1 + index % 3])
    cast_seconds = time.perf_counter() - began
    print(f"misto: {args.ballots:,} poll ballots cast (eligibility + token + blind signature "
          f"+ cast + ledger) in {cast_seconds:.2f} s = {args.ballots / cast_seconds:,.1f}/s")

    began = time.perf_counter()
    result = services.recount(poll)
    recount_seconds = time.perf_counter() - began
    assert result.agrees and result.ballots_ledger == args.ballots, result
    print(f"recount from the ledger: {result.ballots_ledger:,} ballots, signatures verified, "
          f"in {recount_seconds:.2f} s = {args.ballots / recount_seconds:,.0f}/s")
    print(f"ratio={cast_seconds / raw_seconds:.2f}")


if __name__ == "__main__":
    main()
