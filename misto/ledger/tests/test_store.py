"""The database-backed log against the pure RFC 9162 functions, heads, keys, appends."""

from __future__ import annotations

import base64
import random
from collections.abc import Callable

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from misto.ledger import merkle, services, sth
from misto.ledger.errors import LedgerCode
from misto.ledger.models import LedgerEntry, LedgerKey, LedgerNode, SignedTreeHead
from misto.ledger.tests.conftest import fill

pytestmark = pytest.mark.django_db


def test_proofs_from_the_database_equal_the_in_memory_ones_for_many_sizes() -> None:
    rng = random.Random(6)
    entries: list[bytes] = []
    # Integrate at irregular points so the stored right edge is extended from every shape.
    for step in [1, 1, 2, 3, 1, 5, 8, 13, 1, 7, 21, 1, 2, 34]:
        fill(step, start=len(entries))
        services.integrate_pending()
        entries = [p.encode() for p in
                   LedgerEntry.objects.order_by("index").values_list("payload", flat=True)]
        size = len(entries)
        assert services.root_at(size) == merkle.root_hash(entries)
        for index in {0, size - 1, rng.randrange(size)}:
            assert services.inclusion_proof(index, size) == merkle.inclusion_proof(index, entries)
        for old in {0, 1, size, rng.randrange(size + 1)}:
            assert services.consistency_proof(old, size) == merkle.consistency_proof(old, entries)
    # Historic sizes too: every (index, size) and (old, new) pair of a 100-entry log.
    size = len(entries)
    assert size == 100
    for smaller in range(1, size + 1, 7):
        assert services.root_at(smaller) == merkle.root_hash(entries[:smaller])
        for index in range(0, smaller, 5):
            assert services.inclusion_proof(index, smaller) == \
                merkle.inclusion_proof(index, entries[:smaller])
        for old in range(0, smaller + 1, 3):
            assert services.consistency_proof(old, smaller) == \
                merkle.consistency_proof(old, entries[:smaller])
    # One node per completed perfect subtree, leaves included: 2n - popcount(n).
    assert LedgerNode.objects.count() == 2 * size - bin(size).count("1")


def test_a_proof_reads_its_nodes_in_one_query() -> None:
    fill(1000)
    services.integrate_pending()
    with CaptureQueriesContext(connection) as queries:
        proof = services.inclusion_proof(517, 1000)
    node_queries = [q for q in queries.captured_queries if "ledger_ledgernode" in q["sql"]]
    assert len(node_queries) == 1
    entries = [p.encode() for p in
               LedgerEntry.objects.order_by("index").values_list("payload", flat=True)]
    assert merkle.verify_inclusion(entries[517], 517, 1000, proof, merkle.root_hash(entries))


def test_entries_are_canonical_json_and_the_receipt_matches() -> None:
    receipt = services.append("twin.FeatureChanged",
                              {"z": 1, "a": {"b": [1, "ї"]}, "feature_id": "x-1"})
    row = LedgerEntry.objects.get(index=receipt.index)
    assert row.payload.startswith('{"data":{"a":{"b":[1,"ї"]},"feature_id":"x-1","z":1},'
                                  '"kind":"twin.FeatureChanged","time":"')
    assert row.payload.endswith('Z"}')
    assert bytes(row.leaf_hash) == receipt.leaf_hash == merkle.leaf_hash(row.payload.encode())
    assert receipt.as_json() == {"leaf_index": receipt.index,
                                 "leaf_hash": base64.b64encode(receipt.leaf_hash).decode()}


@pytest.mark.parametrize(("kind", "payload"), [
    ("", {"a": 1}),
    ("has space", {"a": 1}),
    ("x" * 101, {"a": 1}),
    ("ok.kind", ["not", "an", "object"]),
    ("ok.kind", {"a": float("nan")}),
    ("ok.kind", {"a": {1: "int key"}}),
    ("ok.kind", {"a": object()}),
    ("ok.kind", {"a": "\ud800"}),
    ("ok.kind", {"a": "x" * 70_000}),
])
def test_bad_input_is_refused_before_anything_is_written(kind: str, payload: object) -> None:
    fill(2)
    with pytest.raises(services.LedgerError) as error:
        services.append(kind, payload)  # type: ignore[arg-type]
    assert error.value.code == LedgerCode.INVALID_ENTRY
    assert isinstance(error.value, ValueError)
    assert LedgerEntry.objects.count() == 2
    assert services.tree_sizes()[0] == 2


def test_a_rolled_back_append_leaves_no_gap() -> None:
    fill(3)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.append("test.rolled_back", {"n": 1})
        raise RuntimeError("the caller's transaction fails")
    receipt = services.append("test.kept", {"n": 2})
    assert receipt.index == 3
    assert list(LedgerEntry.objects.values_list("index", flat=True).order_by("index")) == \
        [0, 1, 2, 3]


def test_the_public_append_function_is_exported_lazily() -> None:
    from misto.ledger import Receipt, append

    assert append is services.append and Receipt is services.Receipt


def test_heads_are_signed_with_the_published_key(build_log) -> None:
    entries = build_log(37, heads=[5, 16])
    heads = list(SignedTreeHead.objects.order_by("id"))
    assert [h.tree_size for h in heads] == [5, 16, 37]
    assert [h.timestamp for h in heads] == sorted({h.timestamp for h in heads})
    key = LedgerKey.objects.get()
    assert key.active and key.key_id == sth.key_id(bytes(key.public_key))
    for head in heads:
        assert bytes(head.root_hash) == merkle.root_hash(entries[: head.tree_size])
        assert sth.verify_signature(bytes(key.public_key), head.tree_size, head.timestamp,
                                    bytes(head.root_hash), bytes(head.signature))
        assert not sth.verify_signature(bytes(key.public_key), head.tree_size + 1,
                                        head.timestamp, bytes(head.root_hash),
                                        bytes(head.signature))
        published = services.head_json(head)
        blob = base64.b64decode(published["tree_head_signature"])
        assert sth.decode_signature(blob) == bytes(head.signature)
        assert blob[:4] == b"\x08\x07\x00\x40"
    # The TBS is RFC 6962's TreeHeadSignature: 1 + 1 + 8 + 8 + 32 bytes.
    head = heads[-1]
    tbs = sth.tree_head_tbs(head.tree_size, head.timestamp, bytes(head.root_hash))
    assert len(tbs) == 50 and tbs[:2] == b"\x00\x01"
    assert int.from_bytes(tbs[2:10], "big") == head.timestamp
    assert int.from_bytes(tbs[10:18], "big") == 37


def test_scheduled_heads_are_only_issued_when_the_tree_grew() -> None:
    fill(3)
    assert services.issue_head(force=False) is not None
    assert services.issue_head(force=False) is None
    fill(1, start=3)
    head = services.issue_head(force=False)
    assert head is not None and head.tree_size == 4


def test_key_rotation_keeps_old_keys_published_and_heads_verifiable(build_log) -> None:
    build_log(10)
    old = LedgerKey.objects.get()
    new_key = services.generate_key()
    with override_settings(MISTO_LEDGER_KEY=new_key):
        fill(5, start=10)
        head = services.issue_head()
        assert head is not None
    keys = {k.key_id: k for k in LedgerKey.objects.all()}
    assert len(keys) == 2
    assert not keys[old.key_id].active and keys[old.key_id].retired_at is not None
    assert head.key.key_id != old.key_id and keys[head.key.key_id].active
    heads = list(SignedTreeHead.objects.order_by("id"))
    assert heads[0].key_id == old.pk  # the old head keeps its key
    assert all(services.head_signature_ok(h) for h in heads)
    assert [k["key_id"] for k in services.published_keys()] == [old.key_id, head.key.key_id]
    assert services.verify_log().ok


def test_a_key_file_and_bad_keys(tmp_path) -> None:
    key_file = tmp_path / "ledger_key"
    key_file.write_text(services.generate_key())
    with override_settings(MISTO_LEDGER_KEY=str(key_file)):
        assert services.signing_key() is not None
    from django.core.exceptions import ImproperlyConfigured

    for bad in ["not base64!", base64.b64encode(b"short").decode()]:
        with override_settings(MISTO_LEDGER_KEY=bad), pytest.raises(ImproperlyConfigured):
            services.signing_key()


def test_proof_arguments_are_checked() -> None:
    fill(10)
    services.integrate_pending()
    cases = [
        (lambda: services.inclusion_proof(10, 10), LedgerCode.INDEX_OUT_OF_RANGE),
        (lambda: services.inclusion_proof(-1, 10), LedgerCode.INDEX_OUT_OF_RANGE),
        (lambda: services.inclusion_proof(0, 11), LedgerCode.SIZE_BEYOND_TREE),
        (lambda: services.consistency_proof(5, 4), LedgerCode.INVALID_SIZE),
        (lambda: services.consistency_proof(-1, 4), LedgerCode.INVALID_SIZE),
        (lambda: services.consistency_proof(4, 11), LedgerCode.SIZE_BEYOND_TREE),
    ]
    for call, code in cases:
        with pytest.raises(services.LedgerError) as error:
            call()
        assert error.value.code == code


def test_appends_wait_for_integration_and_are_gapless_in_batches() -> None:
    receipts = services.append_many(("test.batch", {"n": i}, str(i % 3)) for i in range(250))
    assert [r.index for r in receipts] == list(range(250))
    assert services.tree_sizes() == (250, 0)
    assert services.integrate_pending(batch=64) == 250
    assert services.tree_sizes() == (250, 250)
    assert services.integrate_pending() == 0
    assert [r.index for r in services.receipts_for("1", limit=3)] == [247, 244, 241]


def in_threads(writer: Callable[[int], None], count: int) -> None:
    """Run ``writer(0..count-1)`` at once, each in a thread with its own connection;
    fails with the writers' errors."""
    import threading

    from django.db import connections

    errors: list[BaseException] = []

    def run(number: int) -> None:
        try:
            writer(number)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_appenders_get_gapless_unique_indices() -> None:
    def writer(number: int) -> None:
        for i in range(15):
            with transaction.atomic():
                services.append("test.concurrent", {"writer": number, "i": i})
                if i % 5 == 4:  # some callers roll back: their index is reused
                    transaction.set_rollback(True)

    in_threads(writer, 4)
    indices = list(LedgerEntry.objects.order_by("index").values_list("index", flat=True))
    assert indices == list(range(4 * 12))
    services.issue_head()
    assert services.verify_log().ok


@pytest.mark.django_db(transaction=True)
def test_appends_outside_a_transaction_share_group_commits_and_stay_gapless() -> None:
    """Callers appending outside any transaction are sequenced: their entries go in
    together (one transaction and one promise per group), indices stay gapless, each caller
    gets its own entry's receipt, and a caller's bad input fails that caller alone."""
    import threading

    receipts: dict[tuple[int, int], services.Receipt] = {}
    refused: list[BaseException] = []
    start = threading.Barrier(6)

    def writer(number: int) -> None:
        start.wait()
        for i in range(20):
            receipts[number, i] = services.append("test.sequenced", {"writer": number, "i": i})
            if i == 10:
                try:
                    services.append("not a kind!", {"writer": number})
                except services.LedgerError as error:
                    refused.append(error)

    in_threads(writer, 6)
    assert len(refused) == 6
    rows = {row.index: row for row in LedgerEntry.objects.order_by("index")}
    assert sorted(rows) == list(range(6 * 20))
    for (number, i), receipt in receipts.items():
        row = rows[receipt.index]
        assert row.payload == services.entry_document(
            "test.sequenced", {"writer": number, "i": i}, row.created_at)
        assert bytes(row.leaf_hash) == receipt.leaf_hash
        promise = receipt.promise
        assert promise is not None and promise.batch_start == row.promise_batch_start
        assert merkle.verify_inclusion_by_leaf_hash(
            receipt.leaf_hash, receipt.index - promise.batch_start, promise.batch_size,
            [base64.b64decode(p) for p in promise.as_json()["batch_path"]], promise.batch_root())
    assert services.verify_log().ok  # every promise of the unsigned tail checks
    services.issue_head()
    assert services.verify_log().ok


def test_append_inside_a_transaction_rolls_back_with_it() -> None:
    with transaction.atomic():
        services.append("test.kept", {"n": 1})
        with transaction.atomic():
            services.append("test.dropped", {"n": 2})
            transaction.set_rollback(True)
        receipt = services.append("test.kept", {"n": 3})
    assert receipt.index == 1
    assert list(LedgerEntry.objects.values_list("kind", flat=True).order_by("index")) == [
        "test.kept", "test.kept"]


@pytest.mark.django_db(transaction=True)
def test_a_receipt_is_returned_only_once_its_entry_is_committed() -> None:
    """Durability of group commit: the moment a caller outside a transaction has its receipt,
    another connection already sees its entry, exactly as the receipt says (a receipt is never
    handed out for a batch that is not committed)."""
    import queue
    import threading

    from django.db import connections

    asks: queue.Queue = queue.Queue()

    def observer() -> None:  # its own connection, as another process would read
        while (job := asks.get()) is not None:
            receipt, answer = job
            answer.put(LedgerEntry.objects.filter(index=receipt.index)
                       .values_list("leaf_hash", flat=True).first())
        connections.close_all()

    watching = threading.Thread(target=observer)
    watching.start()
    seen: list[bool] = []
    start = threading.Barrier(4)

    def writer(number: int) -> None:
        start.wait()
        for i in range(15):
            receipt = services.append("test.durable", {"writer": number, "i": i})
            answer: queue.Queue = queue.Queue()
            asks.put((receipt, answer))
            found = answer.get(timeout=60)
            seen.append(found is not None and bytes(found) == receipt.leaf_hash)

    try:
        in_threads(writer, 4)
    finally:
        asks.put(None)
        watching.join(60)
    assert len(seen) == 60 and all(seen)
    assert sorted(LedgerEntry.objects.values_list("index", flat=True)) == list(range(60))


@pytest.mark.django_db(transaction=True)
def test_the_ledger_commits_durably_even_where_synchronous_commit_is_off() -> None:
    """PostgreSQL acknowledges a commit before it is on disk when ``synchronous_commit`` is
    off; the ledger's own transactions turn it back on for themselves, so a receipt never
    precedes durability, and leave the setting of everything else alone."""
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting")
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
    try:
        with CaptureQueriesContext(connection) as queries:
            services.append("test.first", {"n": 0})  # the log's first entry: portable path
            services.append("test.durable", {"n": 1})  # a group: guessed, one statement
            services.appending._EXPECTED.hit = False
            services.append("test.durable", {"n": 2})  # a group: locked, two round trips
            services.append_many(("test.durable", {"n": n}, None) for n in range(3, 103))
        assert sum("set_config('synchronous_commit', 'on', true)" in q["sql"]
                   for q in queries.captured_queries) >= 4
        with transaction.atomic():
            services.append("test.durable", {"n": 103})
            with connection.cursor() as cursor:
                cursor.execute("SHOW synchronous_commit")
                assert cursor.fetchone()[0] == "on"
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone()[0] == "off"  # the session's own setting is untouched
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")
    assert list(LedgerEntry.objects.order_by("index").values_list("index", flat=True)) == \
        list(range(104))
    services.issue_head()
    assert services.verify_log().ok


@pytest.mark.django_db(transaction=True)
def test_a_writer_that_expected_the_log_elsewhere_writes_nothing_there() -> None:
    """A process guesses where the log ends (its last append) and writes in one statement
    that checks it: when another process appended meanwhile, or the guess is off either way,
    nothing is written at the wrong index and the entry goes in at the right one."""
    expected = services.appending._EXPECTED
    services.append("test.guess", {"n": 0})
    services.append("test.guess", {"n": 1})
    for wrong in (1, 5, 0):
        expected.size, expected.hit = wrong, True
        receipt = services.append("test.guess", {"wrong": wrong})
        assert receipt.index == LedgerEntry.objects.count() - 1
    with transaction.atomic():
        expected.size, expected.hit = 99, True
        assert services.append("test.guess", {"in": "transaction"}).index == 5
    assert list(LedgerEntry.objects.order_by("index").values_list("index", flat=True)) == \
        list(range(6))
    assert services.verify_log().ok
    services.issue_head()
    assert services.verify_log().ok


def test_a_batch_stores_every_character_exactly() -> None:
    """Large batches are written by COPY on PostgreSQL from text formatted by the ledger:
    backslashes, quotes, escapes and non-ASCII characters come back byte for byte."""
    tricky = 'a\\b"c\t\n\r\x01 \u2028 Київ \\\\N \\. ☃ \U0001f600'
    receipts = services.append_many(
        ("test.chars", {"s": tricky, "n": n, "list": [tricky, n, None, 1.5]},
         str(n) if n % 2 else None)
        for n in range(100))
    rows = list(LedgerEntry.objects.order_by("index"))
    assert len(rows) == len(receipts) == 100
    for receipt, row in zip(receipts, rows, strict=True):
        assert row.payload == services.entry_document(
            "test.chars", {"s": tricky, "n": row.index, "list": [tricky, row.index, None, 1.5]},
            row.created_at)
        assert bytes(row.leaf_hash) == receipt.leaf_hash == merkle.leaf_hash(
            row.payload.encode())
        assert row.actor_ref == (services.actor_ref(str(row.index)) if row.index % 2 else None)
    assert receipts[-1].index == 99 and receipts[1:3][0].index == 1
    services.issue_head()
    assert services.verify_log().ok


def test_a_large_batch_is_all_or_nothing_and_promised_in_parts() -> None:
    """A batch large enough to be streamed (PostgreSQL) is checked while it is written: one
    bad entry near its end leaves nothing behind; a good one gets gapless indices and each
    receipt's promise covers its part."""
    fill(3)
    size = services.appending.STREAM_FROM + services.appending.PROMISE_PART + 5
    bad: list[tuple[str, dict[str, object], None]] = [
        ("test.big", {"n": n}, None) for n in range(size)]
    bad[size - 3] = ("test.big", {"n": float("inf")}, None)
    with pytest.raises(services.LedgerError):
        services.append_many(bad)
    assert LedgerEntry.objects.count() == 3 and services.tree_sizes()[0] == 3
    receipts = services.append_many(("test.big", {"n": n}, str(n)) for n in range(size))
    assert len(receipts) == size
    assert [receipts[i].index for i in (0, 1, -1)] == [3, 4, 3 + size - 1]
    assert [r.index for r in receipts[::500]] == list(range(3, 3 + size, 500))
    for receipt in (receipts[0], receipts[size // 2], receipts[-1]):
        promise = receipt.promise
        assert promise is not None
        assert promise.batch_size <= size
        assert merkle.verify_inclusion_by_leaf_hash(
            receipt.leaf_hash, receipt.index - promise.batch_start, promise.batch_size,
            [base64.b64decode(p) for p in promise.as_json()["batch_path"]], promise.batch_root())
    assert list(LedgerEntry.objects.order_by("index").values_list("index", flat=True)) == \
        list(range(3 + size))
    assert services.verify_log().ok
    services.issue_head()
    assert services.verify_log().ok


def test_a_promise_naming_a_key_that_is_not_there_is_a_bad_entry() -> None:
    """``promise_key`` has no database constraint (a per-row check slowed batches): a row
    naming a key the log does not have fails verification at that entry."""
    fill(3)
    services.append("test.single", {"n": 3})
    LedgerEntry.objects.filter(index=3).update(promise_key_id=987_654)
    report = services.verify_log()
    assert not report.ok and report.first_bad_entry == 3 and "promise" in report.problems[0]
