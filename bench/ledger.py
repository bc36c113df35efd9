"""Ledger benchmark: batched appends and proof times at N entries, against a raw insert.

    .venv/bin/python bench/ledger.py [--size N] [--batch B] [--proofs P] [--verify]

Uses the database in DATABASE_URL (default: a SpatiaLite file of its own under var/bench/,
never the development database); a missing PostgreSQL database is created and migrated.
THE LEDGER TABLES OF THAT DATABASE ARE EMPTIED.

1. Baseline: the exact rows the ledger will write (index, kind, canonical payload, leaf hash,
   time), precomputed, inserted into the same entries table with the same bulk path (COPY on
   PostgreSQL, executemany on SQLite). Only the inserts are timed.
2. Ledger: the same N entries through ``services.append_many`` in batches of B (canonical
   JSON, SHA-256 leaf hashes, gapless indices under the state lock, bulk insert), then
   ``integrate_pending`` (every perfect subtree's node, 2N - popcount(N) rows).
3. Unbatched ``append`` calls, one transaction each: one caller in a row, then W concurrent
   writers (``--writers``, 8 by default; threads of one process, which share group commits,
   then processes, which do not) each appending ``--single`` entries, against W writers each
   inserting one precomputed row per transaction into the same table (the raw database's
   rate for one row per commit). Indices are checked gapless afterwards, and the entries per
   commit (group) are counted from their promises.
4. P inclusion proofs (random index, size N) and P consistency proofs (random first, second
   N), each timed end to end through the service (state read + one node query), median/p95.

Last line: ``ratio=<ledger seconds / raw insert seconds>`` for the N rows.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from common import ensure_postgres_database, percentile

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL",
                      f"spatialite:///{ROOT / 'var' / 'bench' / 'ledger.sqlite3'}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "misto.settings")


def items(start: int, count: int) -> list[tuple[str, dict, None]]:
    return [
        ("petitions.PetitionSigned",
         {"event": "petitions.PetitionSigned", "event_id": i,
          "digest": hashlib.sha256(i.to_bytes(8, "big")).hexdigest(),
          "refs": {"petition_id": i % 997, "signatures": i // 997 + 1}},
         None)
        for i in range(start, start + count)
    ]


def _writer(mode: str, number: int, count: int, start: int, ready: Any, go: Any,
            done: Any) -> None:
    """One concurrent writer: ``count`` appends (or raw one-row commits)."""
    from django.db import connection, transaction

    from misto.ledger import services
    from misto.ledger.models import LedgerEntry

    connection.close()  # a process never shares the parent's connection
    moment = services._now_ms()
    raw_rows = []
    if mode == "raw":
        for i in range(count):
            document = services.entry_document("bench.raw", {"w": number, "n": i}, moment)
            raw_rows.append((start + number * count + i, "bench.raw", document,
                             hashlib.sha256(b"\0" + document.encode()).digest(), moment))
    connection.ensure_connection()
    ready.put(number)
    go.wait()
    began = time.perf_counter()
    for i in range(count):
        if mode == "raw":
            with transaction.atomic():
                LedgerEntry.objects.bulk_create([LedgerEntry(
                    index=raw_rows[i][0], kind=raw_rows[i][1], payload=raw_rows[i][2],
                    leaf_hash=raw_rows[i][3], created_at=raw_rows[i][4])])
        else:
            services.append("bench.concurrent", {"w": number, "n": i})
    done.put(time.perf_counter() - began)
    connection.close()


def concurrent(writers: int, count: int, start: int, kind: str) -> int:
    """W writers (threads of one process, or processes) appending one entry per transaction
    at once, against raw one-row commits; returns the next index."""
    import multiprocessing
    import queue
    import threading

    from django.db import connection

    from misto.ledger.models import LedgerEntry

    context = multiprocessing.get_context("fork")
    rates = {}
    for mode in ("raw", "ledger"):
        connection.close()
        ready: Any
        done: Any
        go: Any
        if kind == "process":
            ready, done, go = context.Queue(), context.Queue(), context.Event()
            procs: list = [context.Process(target=_writer,
                                           args=(mode, n, count, start, ready, go, done))
                           for n in range(writers)]
        else:
            ready, done, go = queue.Queue(), queue.Queue(), threading.Event()
            procs = [threading.Thread(target=_writer,
                                      args=(mode, n, count, start, ready, go, done))
                     for n in range(writers)]
        for proc in procs:
            proc.start()
        for _ in procs:
            ready.get()
        began = time.perf_counter()
        go.set()
        for _ in procs:
            done.get()
        seconds = time.perf_counter() - began
        for proc in procs:
            proc.join()
        rates[mode] = writers * count / seconds
        if mode == "raw":
            LedgerEntry.objects.filter(kind="bench.raw").delete()
    indices = list(LedgerEntry.objects.filter(index__gte=start)
                   .order_by("index").values_list("index", flat=True))
    assert indices == list(range(start, start + writers * count)), "indices not gapless"
    groups = (LedgerEntry.objects.filter(index__gte=start).values("promise_batch_start")
              .distinct().count())
    print(f"raw one-row commits: {rates['raw']:>8,.0f} rows/s ({writers} {kind}s)")
    print(f"concurrent append: {rates['ledger']:>10,.0f} appends/s ({writers} {kind}s x "
          f"{count}, own transaction each, indices gapless) = "
          f"{rates['ledger'] / rates['raw']:.2f} x raw one-row commits; "
          f"{writers * count / groups:.1f} entries per commit")
    return start + writers * count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--proofs", type=int, default=1_000)
    parser.add_argument("--single", type=int, default=500, help="unbatched append() calls")
    parser.add_argument("--writers", type=int, default=8, help="concurrent writers")
    parser.add_argument("--verify", action="store_true", help="also time verify_log()")
    args = parser.parse_args()
    size, batch = args.size, args.batch

    ensure_postgres_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from misto.ledger import merkle, services
    from misto.ledger.models import LedgerEntry, LedgerNode, LedgerState, SignedTreeHead

    call_command("migrate", verbosity=0)
    postgres = connection.vendor == "postgresql"

    def reset() -> None:
        tables = [m._meta.db_table for m in (SignedTreeHead, LedgerNode, LedgerEntry,
                                              LedgerState)]
        with connection.cursor() as cursor:
            if postgres:
                cursor.execute(f"TRUNCATE {', '.join(tables)}")
            else:
                for table in tables:
                    cursor.execute(f"DELETE FROM {table}")
        if not postgres:
            with connection.cursor() as cursor:
                cursor.execute("VACUUM")

    def analyze() -> None:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']}), "
          f"size {size:,}, batch {batch:,}")
    reset()

    # 1. Baseline: the same rows, precomputed, bulk-inserted into the same table.
    columns = ["index", "kind", "payload", "leaf_hash", "created_at", "actor_ref"]
    raw_seconds = 0.0
    moment = services._now_ms()
    for start in range(0, size, batch):
        rows = []
        for offset, (kind, payload, _) in enumerate(items(start, min(batch, size - start))):
            document = services.entry_document(kind, payload, moment)
            rows.append((start + offset, kind, document,
                         merkle.leaf_hash(document.encode()), moment, None))
        began = time.perf_counter()
        with transaction.atomic():
            services.bulk_insert(LedgerEntry, columns, rows)
        raw_seconds += time.perf_counter() - began
    print(f"raw insert:        {size:>10,} rows in {raw_seconds:7.2f} s = "
          f"{size / raw_seconds:>10,.0f} rows/s")
    reset()

    # 2. The ledger: batched appends, then integration into the stored tree.
    append_seconds = 0.0
    for start in range(0, size, batch):
        chunk = items(start, min(batch, size - start))
        began = time.perf_counter()
        services.append_many(chunk)
        append_seconds += time.perf_counter() - began
    began = time.perf_counter()
    integrated = services.integrate_pending()
    integrate_seconds = time.perf_counter() - began
    assert integrated == size
    ledger_seconds = append_seconds + integrate_seconds
    print(f"ledger append:     {size:>10,} rows in {append_seconds:7.2f} s = "
          f"{size / append_seconds:>10,.0f} appends/s")
    print(f"ledger integrate:  {size:>10,} leaves in {integrate_seconds:5.2f} s "
          f"({LedgerNode.objects.count():,} node rows)")
    print(f"ledger total:      {size / ledger_seconds:>10,.0f} appends/s (batched, "
          "integrated)")
    analyze()
    head = services.issue_head()
    assert head is not None and head.tree_size == size
    root = bytes(head.root_hash)

    # 3. Unbatched appends, one transaction each.
    if args.single:
        began = time.perf_counter()
        for i in range(args.single):
            services.append("bench.single", {"n": i})
        single_seconds = time.perf_counter() - began
        print(f"unbatched append:  {args.single / single_seconds:>10,.0f} appends/s "
              f"({1000 * single_seconds / args.single:.2f} ms each, own transaction, one "
              "caller)")
        if args.writers:
            following = concurrent(args.writers, args.single, size + args.single, "thread")
            concurrent(args.writers, args.single, following, "process")

    # 4. Proofs at size N.
    rng = random.Random(9162)
    inclusion_ms: list[float] = []
    for _ in range(args.proofs):
        index = rng.randrange(size)
        began = time.perf_counter()
        proof = services.inclusion_proof(index, size)
        inclusion_ms.append(1000 * (time.perf_counter() - began))
        if len(inclusion_ms) <= 50:
            assert merkle.verify_inclusion_by_leaf_hash(services.leaf_hash_of(index), index,
                                                        size, proof, root)
    consistency_ms: list[float] = []
    for _ in range(args.proofs):
        first = rng.randrange(1, size) if size > 1 else 1
        began = time.perf_counter()
        proof = services.consistency_proof(first, size)
        consistency_ms.append(1000 * (time.perf_counter() - began))
        if len(consistency_ms) <= 20:
            assert merkle.verify_consistency(first, size, services.root_at(first), root, proof)
    print(f"inclusion proof:   median {statistics.median(inclusion_ms):.3f} ms, "
          f"p95 {percentile(inclusion_ms, 0.95):.3f} ms ({args.proofs} at size {size:,})")
    print(f"consistency proof: median {statistics.median(consistency_ms):.3f} ms, "
          f"p95 {percentile(consistency_ms, 0.95):.3f} ms ({args.proofs} at size {size:,})")

    if args.verify:
        began = time.perf_counter()
        report = services.verify_log()
        print(f"verify_log:        {time.perf_counter() - began:.1f} s, ok={report.ok}, "
              f"{report.entries:,} entries, {report.nodes:,} nodes")

    print(f"ratio={ledger_seconds / raw_seconds:.2f}")


if __name__ == "__main__":
    main()
