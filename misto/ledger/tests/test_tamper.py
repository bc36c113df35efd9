"""Tampering with any single entry is detected and the entry is named: 1,000 random trials.

Each trial changes one entry of a signed 64-entry log inside a savepoint (its payload, its
leaf hash, both consistently, its kind or time columns, its index by swapping or moving it,
or deletes it), runs the full verifier, and rolls back.
"""

from __future__ import annotations

import io
import json
import random
import subprocess
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction

from misto.conftest import child_env, misto_command
from misto.ledger import merkle, services
from misto.ledger.canonical import canonical_json
from misto.ledger.models import LedgerEntry, LedgerNode, SignedTreeHead

SIZE = 64


class Rollback(Exception):
    pass


def _rewrite(index: int, *, fix_hash: bool) -> int:
    row = LedgerEntry.objects.get(index=index)
    document = json.loads(row.payload)
    document["data"]["n"] = document["data"]["n"] + 1000
    payload = canonical_json(document)
    fields: dict[str, object] = {"payload": payload}
    if fix_hash:
        fields["leaf_hash"] = merkle.leaf_hash(payload.encode())
    LedgerEntry.objects.filter(index=index).update(**fields)
    return index


def _flip_hash(index: int) -> int:
    leaf = bytearray(LedgerEntry.objects.get(index=index).leaf_hash)
    leaf[random.randrange(32)] ^= 1 << random.randrange(8)
    LedgerEntry.objects.filter(index=index).update(leaf_hash=bytes(leaf))
    return index


def _delete(index: int) -> int:
    LedgerEntry.objects.filter(index=index).delete()
    return index


def _swap(index: int) -> int:
    other = random.choice([i for i in range(SIZE) if i != index])
    LedgerEntry.objects.filter(index=index).update(index=-1)
    LedgerEntry.objects.filter(index=other).update(index=index)
    LedgerEntry.objects.filter(index=-1).update(index=other)
    return min(index, other)


def _move_to_end(index: int) -> int:
    LedgerEntry.objects.filter(index=index).update(index=SIZE + random.randrange(1, 50))
    return index


def _kind(index: int) -> int:
    LedgerEntry.objects.filter(index=index).update(kind="test.forged")
    return index


def _time(index: int) -> int:
    row = LedgerEntry.objects.get(index=index)
    LedgerEntry.objects.filter(index=index).update(
        created_at=row.created_at + timedelta(seconds=random.choice([-3600, 1, 86400])))
    return index


TAMPERINGS: list[Callable[[int], int]] = [
    lambda i: _rewrite(i, fix_hash=False), lambda i: _rewrite(i, fix_hash=True),
    _flip_hash, _delete, _swap, _move_to_end, _kind, _time,
]


def tamper_and_verify(trial: int) -> tuple[int, services.VerifyReport]:
    random.seed(trial)
    index = random.randrange(SIZE)
    tampering = TAMPERINGS[trial % len(TAMPERINGS)]
    try:
        with transaction.atomic():
            expected = tampering(index)
            report = services.verify_log()
            raise Rollback
    except Rollback:
        pass
    return expected, report


@pytest.mark.django_db
def test_any_single_entry_tampering_is_detected_in_1000_random_trials(build_log) -> None:
    build_log(SIZE, heads=[20, 41])
    assert services.verify_log().ok
    missed = []
    for trial in range(1000):
        expected, report = tamper_and_verify(trial)
        if report.ok or report.first_bad_entry != expected:
            missed.append((trial, expected, report.first_bad_entry, report.problems))
    assert not missed, missed[:5]
    assert services.verify_log().ok  # every trial was rolled back


@pytest.mark.django_db
def test_deeper_rewrites_are_still_detected(build_log) -> None:
    entries = build_log(SIZE, heads=[20, 41])
    # Rewrite entry 30, its leaf hash and its stored level-0 node consistently.
    with pytest.raises(Rollback), transaction.atomic():
        _rewrite(30, fix_hash=True)
        leaf = bytes(LedgerEntry.objects.get(index=30).leaf_hash)
        LedgerNode.objects.filter(level=0, index=30).update(hash=leaf)
        report = services.verify_log()
        assert report.first_bad_entry == 30  # the pair (30, 31) no longer hashes to node (1, 15)
        raise Rollback
    # Rewrite every stored hash above entry 50 as well: only the signed root can tell.
    with pytest.raises(Rollback), transaction.atomic():
        _rewrite(50, fix_hash=True)
        forged = [p.encode() for p in
                  LedgerEntry.objects.order_by("index").values_list("payload", flat=True)]
        getter = merkle._memory_node_getter([merkle.leaf_hash(e) for e in forged])
        for node in LedgerNode.objects.all():
            node.hash = getter(node.level, node.index)
            node.save()
        report = services.verify_log()
        assert not report.ok and report.first_bad_entry == 41  # the last head proves 0..40
        raise Rollback
    # An entry slipped in at the end, behind the ledger's back, is named too.
    with pytest.raises(Rollback), transaction.atomic():
        row = LedgerEntry.objects.get(index=SIZE - 1)
        row.index = SIZE
        row.save(force_insert=True)
        report = services.verify_log()
        assert report.first_bad_entry == SIZE
        raise Rollback
    # A forged head signature is reported even though the entries are intact.
    with pytest.raises(Rollback), transaction.atomic():
        head = SignedTreeHead.objects.order_by("id").first()
        assert head is not None
        head.timestamp += 1
        head.save()
        report = services.verify_log()
        assert not report.ok and report.first_bad_entry is None
        assert any("signature" in problem for problem in report.problems)
        raise Rollback
    assert len(entries) == SIZE and services.verify_log().ok


@pytest.mark.django_db
def test_the_command_refuses_an_unknown_action() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="invalid choice"):
        call_command("ledger", "no-such-action")


@pytest.mark.django_db
def test_the_command_names_the_first_bad_entry(build_log) -> None:
    build_log(SIZE, heads=[20])
    out = io.StringIO()
    call_command("ledger", "verify", stdout=out, stderr=io.StringIO())
    assert "ledger intact" in out.getvalue()
    for trial in (3, 12, 29):
        random.seed(trial)
        with pytest.raises(Rollback), transaction.atomic():
            expected = TAMPERINGS[trial % len(TAMPERINGS)](random.randrange(SIZE))
            out, err = io.StringIO(), io.StringIO()
            with pytest.raises(SystemExit) as exit_info:
                call_command("ledger", "verify", stdout=out, stderr=err)
            assert exit_info.value.code == 1
            assert f"first bad entry: {expected}\n" in out.getvalue()
            assert err.getvalue().strip()
            raise Rollback


@pytest.mark.django_db(transaction=True)
def test_the_command_exit_codes_in_a_real_process(build_log) -> None:
    build_log(40, heads=[13])

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(misto_command("ledger", *args), env=child_env(), text=True,
                              capture_output=True, timeout=120, check=False)

    intact = run("verify")
    assert intact.returncode == 0, intact.stderr
    assert "ledger intact" in intact.stdout
    LedgerEntry.objects.filter(index=17).update(payload=LedgerEntry.objects.get(index=18).payload)
    tampered = run("verify")
    assert tampered.returncode == 1
    assert "first bad entry: 17" in tampered.stdout.splitlines()
