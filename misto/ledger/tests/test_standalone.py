"""The offline verifier on an export: intact, tampered, and copied alone without Misto."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from misto.ledger import merkle, standalone_verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def exported(tmp_path: Path, build_log) -> Path:
    build_log(45, heads=[10, 32])
    out = io.StringIO()
    call_command("ledger", "export", str(tmp_path / "export"), stdout=out)
    assert "exported 45 entries, 3 heads, 1 keys" in out.getvalue()
    return tmp_path / "export"


def lines(directory: Path) -> list[dict]:
    return [json.loads(line) for line in
            (directory / "entries.jsonl").read_text(encoding="utf-8").splitlines()]


def write(directory: Path, items: list[dict]) -> None:
    (directory / "entries.jsonl").write_text(
        "".join(json.dumps(item) + "\n" for item in items), encoding="utf-8")


def test_an_intact_export_verifies(exported: Path) -> None:
    result = standalone_verify.verify(exported)
    assert result.problems == [] and result.entries == 45 and result.heads == 3
    assert standalone_verify.main([str(exported)]) == 0


def test_tampered_exports_name_the_first_bad_entry(exported: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    original = lines(exported)

    def check(items: list[dict], expected: int) -> None:
        write(exported, items)
        assert standalone_verify.main([str(exported)]) == 1
        assert f"first bad entry: {expected}\n" in capsys.readouterr().out

    changed = [dict(item) for item in original]
    changed[20]["entry"] = changed[20]["entry"].replace('"n":20', '"n":21')
    check(changed, 20)
    # Entry and leaf hash rewritten together: the signed roots tell, from the last proof on.
    changed[20]["leaf_hash"] = standalone_verify.base64.b64encode(
        merkle.leaf_hash(changed[20]["entry"].encode())).decode()
    check(changed, 10)
    check(original[:17] + original[18:], 17)  # deleted
    check([*original[:40], original[41], original[40], *original[42:]], 40)  # reordered
    check(original[:44], 44)  # the last entry removed: a head still covers it
    write(exported, original)
    assert standalone_verify.main([str(exported)]) == 0


def test_a_witness_catches_a_history_rewritten_under_fresh_heads(exported: Path,
                                                                  tmp_path: Path) -> None:
    from misto.ledger import services
    from misto.ledger.models import LedgerEntry, LedgerNode, SignedTreeHead

    kept = tmp_path / "kept-heads.json"
    kept.write_text((exported / "heads.json").read_text())
    # The operator rewrites entry 20 with every hash above it and signs new heads.
    row = LedgerEntry.objects.get(index=20)
    row.payload = row.payload.replace('"n":20', '"n":2000')
    row.leaf_hash = merkle.leaf_hash(row.payload.encode())
    row.save()
    forged = [p.encode() for p in
              LedgerEntry.objects.order_by("index").values_list("payload", flat=True)]
    getter = merkle._memory_node_getter([merkle.leaf_hash(e) for e in forged])
    for node in LedgerNode.objects.all():
        node.hash = getter(node.level, node.index)
        node.save()
    SignedTreeHead.objects.all().delete()
    services.issue_head()
    rewritten = tmp_path / "rewritten"
    call_command("ledger", "export", str(rewritten), stdout=io.StringIO())
    assert standalone_verify.main([str(rewritten)]) == 0  # consistent on its own...
    result = standalone_verify.verify(rewritten, known_heads=kept)
    assert result.first_bad_entry == 10  # ...but not with the heads the witness kept
    assert standalone_verify.main([str(rewritten), "--known-heads", str(kept)]) == 1
    assert standalone_verify.main([str(exported), "--known-heads", str(kept)]) == 0


def test_forged_heads_and_keys_are_reported(exported: Path) -> None:
    heads = json.loads((exported / "heads.json").read_text())
    heads[1]["timestamp"] += 1
    (exported / "heads.json").write_text(json.dumps(heads))
    result = standalone_verify.verify(exported)
    assert any("bad signature" in p for p in result.problems)
    assert standalone_verify.main([str(exported)]) == 1
    assert standalone_verify.main([str(exported / "missing")]) == 2


def test_the_verifier_runs_copied_alone_without_misto_or_django(exported: Path,
                                                                tmp_path: Path) -> None:
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(standalone_verify.__file__, alone / "standalone_verify.py")
    shutil.copy(merkle.__file__, alone / "merkle.py")
    # Make `misto` unimportable so the copy must use its neighbour merkle.py.
    code = (
        "import sys, runpy; sys.modules['misto'] = None; "
        f"sys.argv = ['standalone_verify.py', {str(exported)!r}]\n"
        "try:\n"
        f"    runpy.run_path({str(alone / 'standalone_verify.py')!r}, run_name='__main__')\n"
        "except SystemExit as done:\n"
        "    assert 'django' not in sys.modules, 'django was imported'\n"
        "    raise\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=alone, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert "ledger intact" in done.stdout


def test_merkle_and_the_verifier_import_without_django() -> None:
    code = ("import sys, misto.ledger.merkle, misto.ledger.standalone_verify, "
            "misto.ledger.sth, misto.ledger.canonical; "
            "assert 'django' not in sys.modules, sorted(m for m in sys.modules if 'django' in m)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
