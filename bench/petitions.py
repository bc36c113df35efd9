"""Petitions benchmark: one-click signatures, each ledgered, against a raw insert.

    .venv/bin/python bench/petitions.py [--signers N] [--readers R]

Uses the database in DATABASE_URL (default: a SpatiaLite file of its own under var/bench/).
THE PETITIONS, LEDGER AND REGISTER TABLES OF THAT DATABASE ARE EMPTIED.

1. N register entries with accounts are made in bulk (not timed).
2. Baseline: N single-row INSERTs of the same signature rows, one transaction each (what the
   database does for the signature alone).
3. Misto: N signatures through ``services.sign`` on one petition, one transaction each, as
   the page and the API do it: eligibility from the register, the row under its unique
   constraint, the count, and the ledger entry under the ledger's lock.
4. The public count (``GET /api/petitions/<number>``, through the whole API) read by R threads
   while 2 threads keep signing another N/10 residents: median and p95 latency.

Last line: ``ratio=<signing seconds / raw insert seconds>``.
"""

from __future__ import annotations

import argparse
import threading
import time
import uuid

from common import percentile, setup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signers", type=int, default=100_000)
    parser.add_argument("--readers", type=int, default=2)
    args = parser.parse_args()
    vendor = setup("petitions")

    from django.contrib.auth import get_user_model
    from django.db import connection, connections, transaction
    from django.test import Client

    from misto.ledger.models import LedgerEntry, LedgerState
    from misto.petitions import services
    from misto.petitions.models import Petition, Rules, Signature
    from misto.residents import levels
    from misto.residents.models import Person, Verification

    Signature.objects.all().delete()
    Petition.objects.all().delete()
    LedgerEntry.objects.all().delete()
    LedgerState.objects.all().delete()
    Person.objects.all().delete()
    get_user_model().objects.filter(username__startswith="bench-").delete()
    Rules.objects.all().delete()
    Rules.objects.create(threshold=10**9, collection_days=90)

    extra = max(1, args.signers // 10)
    total = args.signers + extra
    began = time.perf_counter()
    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"bench-{i}", password="!") for i in range(total)],
        batch_size=5000)
    if not users[0].pk:  # SQLite before RETURNING: read the ids back
        users = list(get_user_model().objects.filter(username__startswith="bench-")
                     .order_by("pk"))
    Person.objects.bulk_create(
        [Person(user=user, last_name="Лавка", first_name="Тест", birth_date="1990-01-01",
                verification=Verification.PROVIDER) for user in users], batch_size=5000)
    print(f"database: {vendor}; {total:,} register entries with accounts made in "
          f"{time.perf_counter() - began:.1f} s (not timed)")

    author = users[0]
    petition = Petition.objects.create(author=author, title="Бенчмарк", text="x" * 60,
                                       topic="other")
    petition.status = "moderation"
    petition.save()
    petition = services.open_petition(author, petition)
    other = Petition.objects.create(author=author, title="Бенчмарк 2", text="x" * 60,
                                    topic="other", status="moderation")
    other = services.open_petition(author, other)
    people = dict(Person.objects.values_list("user_id", "pk"))

    # 2. Baseline: the signature rows alone, one transaction each.
    baseline = Petition.objects.create(author=author, title="Сировина", text="x" * 60,
                                       topic="other")
    signers = users[: args.signers]
    began = time.perf_counter()
    for user in signers:
        with transaction.atomic():
            Signature.objects.create(petition=baseline, person_id=people[user.pk],
                                     user=user, signer=uuid.uuid4().hex * 2)
    raw_seconds = time.perf_counter() - began
    print(f"raw insert:   {args.signers:>9,} signature rows in {raw_seconds:7.2f} s = "
          f"{args.signers / raw_seconds:>8,.0f} rows/s (one transaction each)")

    # 3. Misto: one-click signatures, each ledgered, one transaction each.
    began = time.perf_counter()
    for user in signers:
        services.sign(user, levels.VERIFIED, petition)
    sign_seconds = time.perf_counter() - began
    print(f"sign:         {args.signers:>9,} signatures in {sign_seconds:7.2f} s = "
          f"{args.signers / sign_seconds:>8,.0f} signatures/s (each ledgered)")
    result = services.recount(petition)
    print(f"recount:      shown {result.displayed:,}, rows {result.rows:,}, ledger "
          f"{result.ledger:,}: {'agrees' if result.agrees else 'DISAGREES'}")

    # 4. The public count under concurrent signing.
    latencies: list[float] = []
    stop = threading.Event()

    def sign_rest(part: list) -> None:
        try:
            for user in part:
                services.sign(user, levels.VERIFIED, other)
        finally:
            connections.close_all()

    def read() -> None:
        client = Client()
        try:
            while not stop.is_set():
                start = time.perf_counter()
                response = client.get(f"/api/petitions/{other.number}")
                latencies.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200
        finally:
            connections.close_all()

    rest = users[args.signers:]
    writers = [threading.Thread(target=sign_rest, args=(rest[i::2],)) for i in range(2)]
    readers = [threading.Thread(target=read) for _ in range(args.readers)]
    began = time.perf_counter()
    for thread in writers + readers:
        thread.start()
    for thread in writers:
        thread.join()
    stop.set()
    for thread in readers:
        thread.join()
    concurrent_seconds = time.perf_counter() - began
    latencies.sort()
    print(f"concurrent:   {len(rest):,} signatures by 2 threads in {concurrent_seconds:.2f} s "
          f"= {len(rest) / concurrent_seconds:,.0f}/s while {args.readers} readers made "
          f"{len(latencies):,} count reads: median {percentile(latencies, 0.5):.2f} ms, "
          f"p95 {percentile(latencies, 0.95):.2f} ms")
    other.refresh_from_db()
    assert other.signature_count == len(rest), other.signature_count
    connection.close()
    print(f"ratio={sign_seconds / raw_seconds:.2f}")


if __name__ == "__main__":
    main()
