"""Ballots benchmark: secret ballots end to end (token issue + blinding + cast + ledger) and
the recount from the ledger, against a raw insert.

    .venv/bin/python bench/ballots.py [--voters N] [--ballots B]

Uses the database in DATABASE_URL (default: a SpatiaLite file of its own under var/bench/).
THE BUDGET, LEDGER AND REGISTER TABLES OF THAT DATABASE ARE EMPTIED. The demo city's districts
are added when the twin lacks them.

1. N register entries with accounts (the round's electorate), spread over the districts, are
   made in bulk (not timed); one round with RSA-2048 district keys and five approved projects
   per district.
2. Baseline: B single-row INSERTs of ballot rows (random token, two choices), one transaction
   each: what the database does for the ballot alone.
3. Misto: B of the N voters vote through ``services.vote_here``, one transaction each, as the
   page's server-side client casts
   them: eligibility from the register, the voter row under its unique constraint, RFC 9474
   blind, blind-sign, finalize and verify, the ballot row, the counts, and the ledger entry
   under the ledger's lock. Its share spent in the RSA blind signature alone is printed.
4. The recount (``services.recount``): every ballot read back from the ledger, its token
   signature verified with the district's public key, every choice tallied.

Kyiv's GB-4 had 191,712 voters (docs/budget.md): N defaults to 200,000, B to 10,000 (all N
take hours on a shared machine); the times for all N ballots are printed as projections from
the measured rates, labelled so.
Last line: ``ratio=<casting seconds / raw insert seconds>`` (the same B rows).
"""

from __future__ import annotations

import argparse
import base64
import secrets
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import setup


def districts() -> list[str]:
    """The twin's districts, with the demo city's added when there are none."""
    from django.db import transaction

    from misto import twin
    from misto.twin import builtin, demo, services

    services.ensure_builtin_layers()
    if not twin.districts():
        layer = services.get_layer(builtin.DISTRICTS)
        rows = [row for row in demo.generate() if row.layer == builtin.DISTRICTS]
        with transaction.atomic():
            services.bulk_create([services.check_feature(layer, r.geometry, r.properties)
                                  for r in rows], reason="ballots bench")
    return sorted(d.katottg for d in twin.districts())


def electorate(voters: int, codes: list[str]) -> list[Any]:
    """``voters`` accounts with verified register entries spread over ``codes``, in bulk."""
    from django.contrib.auth import get_user_model

    from misto.residents.models import Person, Verification

    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"bench-{i}", password="!") for i in range(voters)],
        batch_size=5000)
    if not users[0].pk:  # SQLite before RETURNING: read the ids back
        users = list(get_user_model().objects.filter(username__startswith="bench-")
                     .order_by("pk"))
    Person.objects.bulk_create(
        [Person(user=user, last_name="Лавка", first_name="Тест", birth_date="1990-01-01",
                district=codes[i % len(codes)], verification=Verification.PROVIDER)
         for i, user in enumerate(users)], batch_size=5000)
    return users


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voters", type=int, default=200_000)
    parser.add_argument("--ballots", type=int, default=10_000)
    args = parser.parse_args()
    args.ballots = min(args.ballots, args.voters)
    vendor = setup("ballots")

    from django.contrib.auth import get_user_model
    from django.db import transaction

    from misto.budget import services
    from misto.budget.models import Ballot, Phase, Project, Round, Voter
    from misto.core import ballots as blind
    from misto.ledger.models import LedgerEntry, LedgerState
    from misto.residents import levels
    from misto.residents.models import Person

    Ballot.objects.all().delete()
    Voter.objects.all().delete()
    Project.objects.all().delete()
    Round.objects.all().delete()
    LedgerEntry.objects.all().delete()
    LedgerState.objects.all().delete()
    Person.objects.all().delete()
    get_user_model().objects.filter(username__startswith="bench-").delete()
    codes = districts()

    began = time.perf_counter()
    users = electorate(args.voters, codes)
    found = services.create_round("bench", "Бенчмарк", "Bench", dict.fromkeys(codes, 10**9),
                                  max_choices=5)
    author = users[0]
    for code in codes:
        for i in range(5):
            project = Project.objects.create(
                round=found, number=f"bench-{code[-4:]}-{i}", title=f"Проєкт {i}",
                description="x" * 40, author=author, place="POINT(35.1 47.8)", district=code,
                cost=100_000, proposed_cost=100_000)
            services.review(author, project, approve=True, reason="bench")
    services.do_set_phase(found, Phase.REVIEW)
    found = services.do_set_phase(found, Phase.VOTING)
    choices = {code: [f"bench-{code[-4:]}-0", f"bench-{code[-4:]}-{1 + len(code) % 4}"]
               for code in codes}
    print(f"database: {vendor}; {args.voters:,} register entries in {len(codes)} districts made "
          f"in {time.perf_counter() - began:.1f} s (not timed)")

    # Baseline: the ballot row alone, one transaction each.
    raw = Round.objects.create(number="raw", title_uk="raw", title_en="raw")
    began = time.perf_counter()
    for i in range(args.ballots):
        with transaction.atomic():
            text = base64.b64encode(secrets.token_bytes(32)).decode()
            Ballot.objects.create(round=raw, district=codes[i % len(codes)], token=text,
                                  receipt=text[:20], choices=choices[codes[i % len(codes)]],
                                  ledger_index=i)
    raw_seconds = time.perf_counter() - began
    Ballot.objects.filter(round=raw).delete()
    print(f"raw insert: {args.ballots:,} ballot rows in {raw_seconds:.2f} s = "
          f"{args.ballots / raw_seconds:,.0f}/s")

    # The RSA work alone (blind, blind-sign, finalize with its verification).
    key = blind.new_private_key()
    public = key.public_key()
    sample = min(args.ballots, 500)
    began = time.perf_counter()
    for _ in range(sample):
        token = blind.new_token()
        blinded = blind.blind(public, token)
        blind.finalize(public, token, blind.blind_sign(key, blinded.blinded_msg), blinded.inverse)
    rsa_each = (time.perf_counter() - began) / sample

    people = list(Person.objects.order_by("pk").values_list("user_id", "district"))
    people = people[:args.ballots]
    by_id = {user.pk: user for user in users}
    began = time.perf_counter()
    for user_id, district in people:
        services.vote_here(by_id[user_id], levels.VERIFIED, found, choices[district])
    cast_seconds = time.perf_counter() - began
    rate = args.ballots / cast_seconds
    print(f"misto: {args.ballots:,} ballots cast (token + blind signature + cast + ledger) in "
          f"{cast_seconds:.2f} s = {rate:,.1f}/s; the RSA work alone (blind, sign, finalize) "
          f"{rsa_each * 1000:.2f} ms a ballot ({rsa_each * args.ballots / cast_seconds:.0%} "
          f"of the time); projected for all {args.voters:,} voters: "
          f"{args.voters / rate / 3600:.1f} h of one process")

    began = time.perf_counter()
    result = services.recount(found)
    recount_seconds = time.perf_counter() - began
    assert result.agrees and result.ballots_ledger == args.ballots, result
    per = recount_seconds / args.ballots
    print(f"recount from the ledger: {result.ballots_ledger:,} ballots, signatures verified, "
          f"in {recount_seconds:.2f} s = {1 / per:,.0f}/s; projected for {args.voters:,}: "
          f"{per * args.voters:.0f} s")
    print(f"ratio={cast_seconds / raw_seconds:.2f}")


if __name__ == "__main__":
    main()
