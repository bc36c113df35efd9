"""``misto ledger new-log``: a log that must not be served any more is closed and replaced by a
new one whose entry 0 is a statement, signed with the old key, naming the old final head."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from misto.ledger import services, standalone_verify, sth
from misto.ledger.models import LedgerEntry, LedgerKey
from misto.ledger.tests.conftest import fill

pytestmark = pytest.mark.django_db

OLD_KEY = services.generate_key()
NEW_KEY = services.generate_key()


def new_log(archive: Path, previous: str = OLD_KEY, reason: str = "issue 13") -> str:
    out = io.StringIO()
    call_command("ledger", "new-log", str(archive), "--previous-key", previous,
                 "--reason", reason, stdout=out)
    return out.getvalue()


@pytest.fixture
def old_log() -> list[bytes]:
    """A log of 30 entries signed with the old key, the last 5 not yet under a head."""
    with override_settings(MISTO_LEDGER_KEY=OLD_KEY):
        fill(25)
        services.issue_head()
        fill(5, start=25)
    return [p.encode() for p in LedgerEntry.objects.order_by("index")
            .values_list("payload", flat=True)]


def key_id(key: str) -> str:
    return sth.key_id(services.public_key_der(services.load_private_key(key)))


def test_the_new_log_starts_from_a_statement_signed_by_the_old_key(old_log: list[bytes],
                                                                   tmp_path: Path) -> None:
    archive = tmp_path / "old-log"
    witness = tmp_path / "witness"  # a mirror taken before the log was closed
    call_command("ledger", "export", str(witness), stdout=io.StringIO())
    with override_settings(MISTO_LEDGER_KEY=NEW_KEY):
        out = new_log(archive, reason="unsalted register digests (issue 13)")
        assert "old log closed at size 30" in out and "30 entries archived" in out

        # The archive is the whole old log with a final head over every entry, and verifies.
        assert len((archive / "entries.jsonl").read_text().splitlines()) == 30
        old_heads = json.loads((archive / "heads.json").read_text())
        assert [h["tree_size"] for h in old_heads] == [25, 30]
        assert {h["key_id"] for h in old_heads} == {key_id(OLD_KEY)}
        assert standalone_verify.verify(archive).problems == []

        # The public copy has no entry text, yet proves the tree, the final head and the heads
        # a witness kept; a changed leaf hash in it is caught.
        public = archive / "public"
        lines = [json.loads(line) for line in (public / "entries.jsonl").read_text().splitlines()]
        assert [set(line) for line in lines] == [{"leaf_index", "leaf_hash"}] * 30
        assert json.loads((public / "heads.json").read_text()) == old_heads
        assert json.loads((public / "log-replaced.json").read_text()) == \
            json.loads((archive / "log-replaced.json").read_text())
        result = standalone_verify.verify(public, known_heads=witness / "heads.json")
        assert result.problems == [] and result.redacted == 30
        lines[7]["leaf_hash"] = lines[8]["leaf_hash"]
        (public / "entries.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
        assert standalone_verify.verify(public).first_bad_entry == 0

        # The new log: one entry, the statement, under a head signed with the new key.
        entry = LedgerEntry.objects.get()
        assert entry.index == 0 and entry.kind == services.LOG_REPLACED_KIND
        data = json.loads(entry.payload)["data"]
        statement = data["statement"]
        assert statement["previous_head"] == old_heads[-1]
        assert statement["successor_key_id"] == key_id(NEW_KEY)
        assert statement["reason"] == "unsalted register digests (issue 13)"
        assert sth.statement_problem(data) is None
        assert json.loads((archive / "log-replaced.json").read_text()) == data
        head = services.latest_head()
        assert head is not None and head.tree_size == 1 and head.key.key_id == key_id(NEW_KEY)
        assert dict(LedgerKey.objects.values_list("key_id", "active")) == {
            key_id(OLD_KEY): False, key_id(NEW_KEY): True}

        # The new log carries on and verifies, in Misto and offline.
        fill(3)
        services.issue_head()
        assert services.verify_log().ok
        exported = tmp_path / "new-log"
        call_command("ledger", "export", str(exported), stdout=io.StringIO())
        assert standalone_verify.verify(exported).problems == []


def test_a_statement_that_was_not_signed_by_the_old_key_is_caught(old_log: list[bytes],
                                                                  tmp_path: Path) -> None:
    with override_settings(MISTO_LEDGER_KEY=NEW_KEY):
        new_log(tmp_path / "old-log")
    data = json.loads(LedgerEntry.objects.get().payload)["data"]
    forged = {**data, "statement": {**data["statement"], "successor_key_id": "someone else"}}
    assert sth.statement_problem(forged) == "the statement is not signed by the previous key"
    head = {**data["statement"]["previous_head"], "tree_size": 29}
    forged = {**data, "statement": {**data["statement"], "previous_head": head}}
    assert sth.statement_problem(forged) == \
        "the previous log's final head is not signed by the previous key"
    assert sth.statement_problem({"statement": {"statement": "other"}}) is not None

    # Entry 0 rewritten with a forged statement (and its hashes) fails `misto ledger verify`.
    from misto.ledger import merkle

    row = LedgerEntry.objects.get(index=0)
    row.payload = services.entry_document(services.LOG_REPLACED_KIND, forged, row.created_at)
    row.leaf_hash = merkle.leaf_hash(row.payload.encode())
    row.save()
    services.LedgerNode.objects.filter(level=0, index=0).update(hash=row.leaf_hash)
    report = services.verify_log()
    assert report.first_bad_entry == 0
    assert report.problems == [
        "entry 0: the previous log's final head is not signed by the previous key"]


def test_only_entry_0_may_be_a_statement() -> None:
    fill(2)
    services.append(services.LOG_REPLACED_KIND, {"statement": {}})
    services.issue_head()
    report = services.verify_log()
    assert report.first_bad_entry == 2
    assert report.problems == ["entry 2: only entry 0 may be a log-replaced statement"]


@pytest.mark.parametrize("case", ["same key", "wrong previous key", "archive in use",
                                  "no reason", "bad previous key"])
def test_a_replacement_that_cannot_be_done_right_changes_nothing(
        case: str, old_log: list[bytes], tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    configured, previous, reason = NEW_KEY, OLD_KEY, "issue 13"
    if case == "same key":
        configured = OLD_KEY
    elif case == "wrong previous key":
        previous = services.generate_key()
    elif case == "archive in use":
        archive.mkdir()
        (archive / "something").write_text("x")
    elif case == "no reason":
        reason = "  "
    else:
        previous = "not a key"
    with override_settings(MISTO_LEDGER_KEY=configured), pytest.raises(CommandError) as error:
        new_log(archive, previous, reason)
    expected = {"same key": "MISTO_LEDGER_KEY still holds a key that signed the old log",
                "wrong previous key": "is not the key that signed the log's latest head",
                "archive in use": "must be a new or empty directory",
                "no reason": "give the reason", "bad previous key": "--previous-key"}[case]
    assert expected in str(error.value)
    assert [p.encode() for p in LedgerEntry.objects.order_by("index")
            .values_list("payload", flat=True)] == old_log
    assert services.tree_sizes()[0] == 30 and services.latest_head().tree_size == 25  # type: ignore[union-attr]


def test_an_empty_log_is_not_replaced(tmp_path: Path) -> None:
    with override_settings(MISTO_LEDGER_KEY=NEW_KEY), pytest.raises(CommandError,
                                                                     match="log is empty"):
        new_log(tmp_path / "archive")

