"""Signed promises of inclusion (RFC 9162's SCT, for ledger entries) and the unsigned tail.

Before promises, the entries appended since the last signed head could be rewritten or
reordered together with their stored hashes and ``misto ledger verify`` said "ledger intact".
Each receipt now carries the log's signature over (time, index, merge delay, leaf hash); the
verifier checks the tail against those promises and every promise against later heads.
"""

from __future__ import annotations

import base64
import io
import json
import threading
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from misto.ledger import merkle, runner, services, sth
from misto.ledger.canonical import canonical_json
from misto.ledger.models import LedgerEntry, LedgerKey, LedgerNode, LedgerState, SignedTreeHead
from misto.ledger.tests.conftest import fill

pytestmark = pytest.mark.django_db


def _verify_command() -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("ledger", "verify", stdout=out, stderr=out)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue()
    return 0, out.getvalue()


def _rewrite_with_hashes(index: int) -> None:
    """What the issue describes: an entry rewritten together with its stored leaf hash (and
    the tree above it, which the tail has none of yet)."""
    row = LedgerEntry.objects.get(index=index)
    document = json.loads(row.payload)
    document["data"]["n"] = 999
    payload = canonical_json(document)
    LedgerEntry.objects.filter(index=index).update(
        payload=payload, leaf_hash=merkle.leaf_hash(payload.encode()))


def test_every_receipt_carries_a_promise_signed_by_the_published_key() -> None:
    receipt = services.append("test.thing", {"n": 1})
    promise = receipt.promise
    assert promise is not None
    key = LedgerKey.objects.get(active=True)
    assert promise.log_id == key.key_id and promise.leaf_index == receipt.index
    assert promise.leaf_hash == receipt.leaf_hash
    assert promise.timestamp == services.epoch_ms(receipt.created_at)
    assert promise.max_merge_delay == 60  # the default
    # A single append is a batch of one: its root is its leaf hash.
    assert promise.batch_size == 1 and promise.batch_root() == receipt.leaf_hash
    assert sth.verify_promise(bytes(key.public_key), promise.timestamp, receipt.index, 1,
                              promise.max_merge_delay, receipt.leaf_hash, promise.signature)
    # Not a tree head's signature: the signed bytes differ in their type byte.
    assert not sth.verify_signature(bytes(key.public_key), 0, promise.timestamp,
                                    promise.leaf_hash, promise.signature)
    published = promise.as_json()
    assert published["log_id"] == key.key_id and published["leaf_index"] == receipt.index
    assert published["batch_path"] == []
    assert sth.decode_signature(base64.b64decode(published["signature"])) == promise.signature
    assert receipt.as_json() == {"leaf_index": receipt.index,  # the receipt text is unchanged
                                 "leaf_hash": sth.b64(receipt.leaf_hash)}
    assert services.receipts_for("nobody") == []


def test_a_batch_is_signed_once_and_each_receipt_proves_its_place() -> None:
    receipts = fill(5)
    promises = [receipt.promise for receipt in receipts]
    assert all(p is not None for p in promises)
    assert len({p.signature for p in promises if p}) == 1  # one signature for the batch
    root = merkle.root_from_leaf_hashes(r.leaf_hash for r in receipts)
    key = LedgerKey.objects.get(active=True)
    for receipt, promise in zip(receipts, promises, strict=True):
        assert promise is not None and promise.batch_root() == root
        assert merkle.verify_inclusion_by_leaf_hash(receipt.leaf_hash, receipt.index, 5,
                                                    promise.batch_path(), root)
        assert sth.verify_promise(bytes(key.public_key), promise.timestamp, 0, 5,
                                  promise.max_merge_delay, root, promise.signature)


def test_a_residents_receipts_come_back_with_their_promises() -> None:
    mine = services.append("test.thing", {"n": 1}, actor="7")
    [again] = services.receipts_for("7")
    assert again.promise == mine.promise


@override_settings(MISTO_LEDGER_MAX_MERGE_DELAY=15)
def test_the_merge_delay_is_configurable() -> None:
    promise = services.append("test.thing", {"n": 1}).promise
    assert promise is not None and promise.max_merge_delay == 15


def test_verify_reports_the_unsigned_tail_and_since_when(build_log) -> None:
    build_log(8)
    code, out = _verify_command()
    assert code == 0 and "every entry is under a signed head" in out
    tail = fill(3, start=8)
    report = services.verify_log()
    assert report.ok and report.unsigned == 3
    assert report.unsigned_since == tail[0].created_at
    code, out = _verify_command()
    assert code == 0 and "ledger intact" in out
    assert f"3 entries not yet under a signed head, since " \
           f"{services.entry_time(tail[0].created_at)}" in out


def test_a_rewrite_inside_the_unsigned_tail_is_caught_by_its_promise(build_log) -> None:
    """The issue's case: entries after the last head, rewritten with their stored hashes."""
    build_log(8)
    fill(4, start=8)
    services.integrate_pending()  # the tree holds them, no head yet
    _rewrite_with_hashes(10)
    # ...and the tree above the tail rebuilt from the rewritten entries, as a thorough forger
    # would: the leaf, the document, the columns and every stored node agree.
    for level in range(5):
        LedgerNode.objects.filter(level=level, index__gte=-(-8 >> level)).delete()
    LedgerState.objects.update(integrated_size=8)
    services.integrate_pending()
    report = services.verify_log()
    # One signature covers the batch appended together (8..11): the verifier names its start.
    assert not report.ok and report.first_bad_entry == 8
    assert "signed promise of inclusion" in report.problems[0]
    code, out = _verify_command()
    assert code == 1 and "first bad entry: 8" in out


def test_a_rewritten_single_append_in_the_tail_is_named_exactly(build_log) -> None:
    build_log(4)
    for n in range(4, 7):
        services.append("test.thing", {"n": n, "ref": f"r{n}", "digest": f"{n:064x}"})
    _rewrite_with_hashes(5)
    report = services.verify_log()
    assert report.first_bad_entry == 5 and "promise" in report.problems[0]


def test_reordering_the_unsigned_tail_is_caught(build_log) -> None:
    build_log(4)
    fill(3, start=4)
    LedgerEntry.objects.filter(index=4).update(index=-1)
    LedgerEntry.objects.filter(index=6).update(index=4)
    LedgerEntry.objects.filter(index=-1).update(index=6)
    report = services.verify_log()
    assert report.first_bad_entry == 4 and "promise" in report.problems[0]


def test_a_tail_entry_without_its_promise_is_caught(build_log) -> None:
    build_log(4)
    fill(2, start=4)
    LedgerEntry.objects.filter(index=5).update(promise_signature=None)
    report = services.verify_log()
    assert report.first_bad_entry == 5 and "no signed promise" in report.problems[0]


def test_a_head_signed_after_the_delay_must_keep_the_promise() -> None:
    """The verifier holds the log to its promises: a head signed after an entry's promised
    merge delay that leaves the entry out is a broken promise, whatever the entries say."""
    fill(3)
    services.integrate_pending()
    late = SignedTreeHead.objects.create(  # a correctly signed head that leaves entry 2 out
        tree_size=2, timestamp=services.epoch_ms(timezone.now() + timedelta(seconds=61)),
        root_hash=services.root_at(2), signature=b"", key=LedgerKey.objects.get(active=True))
    private = services.signing_key()
    late.signature = private.sign(sth.tree_head_tbs(2, late.timestamp, bytes(late.root_hash)))
    late.save()
    report = services.verify_log()
    assert report.broken_promises == 3 - 2
    assert any("broke its promise" in problem for problem in report.problems)


def test_overdue_entries_are_reported() -> None:
    fill(2)
    LedgerEntry.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    # Re-dating breaks the promise too; re-sign it as the log would have, 5 minutes ago.
    key, private = LedgerKey.objects.get(active=True), services.signing_key()
    leaves = []
    for row in LedgerEntry.objects.order_by("index"):
        stamp = services.epoch_ms(row.created_at)
        document = json.loads(row.payload)
        document["time"] = services.entry_time(row.created_at)
        payload = canonical_json(document)
        leaves.append(merkle.leaf_hash(payload.encode()))
        LedgerEntry.objects.filter(index=row.index).update(payload=payload,
                                                           leaf_hash=leaves[-1])
    signature = private.sign(sth.promise_tbs(stamp, 0, 2, 60,
                                             merkle.root_from_leaf_hashes(leaves)))
    LedgerEntry.objects.update(promise_key=key, promise_signature=signature)
    report = services.verify_log()
    assert report.ok and report.unsigned == 2 and report.overdue == 2
    code, out = _verify_command()
    assert code == 0 and "2 of them are past their promised merge delay" in out


def test_the_signer_signs_new_entries_and_nothing_twice() -> None:
    fill(5)
    assert runner.sign_pending() == 5
    assert runner.sign_pending() is None
    assert services.verify_log().unsigned == 0


@override_settings(MISTO_LEDGER_SIGN_SECONDS=40, MISTO_LEDGER_MAX_MERGE_DELAY=60)
def test_the_sign_interval_must_fit_the_promise() -> None:
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="MISTO_LEDGER_SIGN_SECONDS"):
        runner.sign_interval()


@pytest.mark.django_db(transaction=True)
@override_settings(MISTO_LEDGER_SIGN_SECONDS=0.2)
def test_under_load_a_head_covers_each_append_within_seconds() -> None:
    """Appends keep coming from one thread while the signer runs in another: every entry is
    under a signed head within a couple of sign intervals of its append."""
    stop = threading.Event()
    signer = threading.Thread(target=runner.run, args=(stop,), daemon=True)
    signer.start()
    try:
        receipts: list[services.Receipt] = []
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            receipts.extend(fill(20, start=len(receipts)))
        last = receipts[-1].index
        waited = time.monotonic()
        while time.monotonic() - waited < 5:
            head = services.latest_head()
            if head is not None and head.tree_size > last:
                break
            time.sleep(0.05)
        assert head is not None and head.tree_size > last
        assert time.monotonic() - waited < 2  # seconds, not the old ten minutes
    finally:
        stop.set()
        signer.join(5)
    assert services.verify_log().ok


def test_the_export_carries_the_promises_and_the_standalone_verifier_checks_them(
        build_log, tmp_path) -> None:
    from misto.ledger import standalone_verify

    build_log(6)
    fill(3, start=6)
    services.export(tmp_path)
    lines = [json.loads(line) for line in (tmp_path / "entries.jsonl").read_text().splitlines()]
    assert [line["promise"]["batch_start"] for line in lines] == [0] * 6 + [6] * 3
    result = standalone_verify.verify(tmp_path)
    assert result.problems == [] and result.unsigned == 3
    # The tail's entry 7 rewritten with its leaf hash: no head can tell, its promise does.
    document = json.loads(lines[7]["entry"])
    document["data"]["n"] = 700
    lines[7]["entry"] = canonical_json(document)
    lines[7]["leaf_hash"] = sth.b64(merkle.leaf_hash(lines[7]["entry"].encode()))
    (tmp_path / "entries.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    assert standalone_verify.verify(tmp_path).first_bad_entry == 6  # its batch, 6..8
