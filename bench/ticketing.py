"""Ticketing benchmark: validators' uploads applied with capping, and the balance query.

    .venv/bin/python bench/ticketing.py [--size N] [--validators V] [--riders R]

Uses the database in DATABASE_URL (default: a SpatiaLite file of its own under var/bench/);
a missing PostgreSQL database is created and migrated. Each run adds its own riders,
validators and taps (unique names), with the demo fares (15 UAH, caps 45/180 UAH).

1. N taps (5,000 by default; the issue's figure is ``--size 1000000 --validators 500``) by
   R riders spread over one past day, so most riders reach the day cap, signed as phones'
   tokens, uploaded by V validators in batches of 500 and applied by ``apply_taps`` (token
   check, replay and duplicate checks, capping, the double-entry postings, set-wise per
   upload: docs/wallet.md, "Applying an upload"): taps per second. With the defaults each
   rider taps thousands of times a day, far beyond a real rider: the worst case for the
   day sums capping reads.
2. The same number of rows inserted raw (``executemany`` into a scratch table): the baseline.
3. ``balance(account)`` for every rider: median and p95.

Last line: ``ratio=<apply time / raw insert time>``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import latency_line, setup

SEED = 2020
BATCH = 500


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=5000)
    parser.add_argument("--validators", type=int, default=20)
    parser.add_argument("--riders", type=int, default=200)
    args = parser.parse_args()
    vendor = setup("ticketing")

    import io

    from django.db import connection
    from django.utils import timezone

    from misto.testing.world import make_resident
    from misto.wallet import demo, offline, services
    from misto.wallet.models import Validator
    from misto.wallet.services.tickets import signing_keys

    demo.load(io.StringIO())
    rng = random.Random(SEED)
    run = uuid.uuid4().hex[:8]
    accounts = []
    for i in range(args.riders):
        account = services.access_account(make_resident(f"bench-{run}-{i}"))
        services.demo_pay(services.do_start_topup(account, 100_000))
        accounts.append(account)
    validators = [services.do_register_validator(f"bench-{run}-{v}")[0]
                  for v in range(args.validators)]
    day = (timezone.localtime() - timedelta(days=2)).replace(hour=5, minute=0, second=0)
    key = signing_keys()[0]
    started = time.perf_counter()
    taps_by_validator: dict[int, list[services.TapIn]] = {v.pk: [] for v in validators}
    for n in range(args.size):
        account = rng.choice(accounts)
        at = day + timedelta(seconds=rng.randrange(18 * 3600))
        token = offline.sign(key, str(account.public_id), f"{run}{n:09d}",
                             int(at.timestamp()) + 600)
        taps_by_validator[rng.choice(validators).pk].append(
            services.TapIn(f"{run}-{n}", token, at))
    print(f"signed {args.size} tokens in {time.perf_counter() - started:.1f} s "
          f"({vendor}, {args.riders} riders, {args.validators} validators)")

    by_pk = {v.pk: v for v in Validator.objects.filter(pk__in=taps_by_validator)}
    started = time.perf_counter()
    applied = 0
    for pk, taps in taps_by_validator.items():
        for offset in range(0, len(taps), BATCH):
            results = services.apply_taps(by_pk[pk], taps[offset:offset + BATCH])
            applied += sum(r.status == "applied" for r in results)
    apply_seconds = time.perf_counter() - started
    print(f"applied {applied} of {args.size} taps in {apply_seconds:.2f} s: "
          f"{args.size / apply_seconds:.0f} taps/s")

    rows = [(f"{run}-raw-{n}", n % 1500, "fare") for n in range(args.size)]
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_raw_tap "
                       "(tap_id varchar(80) PRIMARY KEY, charged integer, basis varchar(16))")
        started = time.perf_counter()
        cursor.executemany("INSERT INTO bench_raw_tap (tap_id, charged, basis) "
                           "VALUES (%s, %s, %s)", rows)
        raw_seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_raw_tap")
    print(f"raw insert of {args.size} rows in {raw_seconds:.3f} s: "
          f"{args.size / raw_seconds:.0f} rows/s")

    timings = []
    for account in accounts:
        started = time.perf_counter()
        services.balance(account)
        timings.append(time.perf_counter() - started)
    print(latency_line("balance query", timings))
    check = services.check_book()
    print(f"book: accounts {check.accounts}, postings {check.postings}, "
          f"imbalance {check.imbalance}; median charged per rider "
          f"{statistics.median(100_000 - services.balance(a) for a in accounts)} kopiyky "
          f"(day cap 4500)")
    print(f"ratio={apply_seconds / raw_seconds:.1f}")


if __name__ == "__main__":
    main()
