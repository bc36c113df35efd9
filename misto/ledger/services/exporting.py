"""Exporting the whole log for witnesses: entries, heads and keys as plain files.

Why a file of its own: the export is the log's public form outside Misto (what
``standalone_verify`` and a witness read), and the succession archive is written through it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from misto.ledger import sth
from misto.ledger.models import LedgerEntry, LedgerKey, SignedTreeHead
from misto.ledger.services.appending import epoch_ms
from misto.ledger.services.heads import head_json, published_keys


def entry_json(index: int, payload: str | None, leaf: bytes,
               promise: dict[str, Any] | None = None) -> dict[str, Any]:
    """An export line's object; ``payload`` None gives a redacted line (leaf hash only); the
    entry's signed promise of inclusion when it has one (without the audit path within its
    batch: the export holds every leaf of the batch)."""
    line: dict[str, Any] = {"leaf_index": index, "leaf_hash": sth.b64(leaf)}
    if payload is not None:
        line["entry"] = payload
    if promise is not None:
        line["promise"] = promise
    return line


def iter_export_entries(chunk: int = 10_000, redacted: bool = False) -> Iterator[str]:
    """``entries.jsonl`` line by line (each ends with a newline); ``redacted`` leaves out the
    entries' text and their promises and keeps their leaf hashes, which is enough to check the
    tree and heads."""
    key_ids = dict(LedgerKey.objects.values_list("pk", "key_id"))
    rows = (
        LedgerEntry.objects.order_by("index")
        .values_list("index", "payload", "leaf_hash", "created_at", "promise_signature",
                     "promise_key_id", "promise_merge_delay", "promise_batch_start",
                     "promise_batch_size")
        .iterator(chunk_size=chunk)
    )
    for index, payload, leaf, created_at, signature, key, delay, start, size in rows:
        promise = None
        if not redacted and signature is not None and key in key_ids:
            promise = {"log_id": key_ids[key], "timestamp": epoch_ms(created_at),
                       "batch_start": start, "batch_size": size, "max_merge_delay": delay,
                       "signature": sth.b64(sth.encode_signature(bytes(signature)))}
        yield json.dumps(entry_json(int(index), None if redacted else payload, bytes(leaf),
                                    promise), separators=(",", ":")) + "\n"


def export_heads() -> list[dict[str, Any]]:
    return [head_json(head) for head in
            SignedTreeHead.objects.select_related("key").order_by("id")]


def export(directory: Path, redacted: bool = False) -> dict[str, int]:
    """Write ``entries.jsonl``, ``heads.json`` and ``keys.json`` into ``directory``
    (``redacted``: entries without their text, see ``iter_export_entries``)."""
    directory.mkdir(parents=True, exist_ok=True)
    # Heads and keys first: entries are only ever appended, so the entries read afterwards
    # cover every head exported, even while the log keeps growing.
    heads = export_heads()
    keys = published_keys()
    count = 0
    with (directory / "entries.jsonl").open("w", encoding="utf-8") as handle:
        for line in iter_export_entries(redacted=redacted):
            handle.write(line)
            count += 1
    (directory / "heads.json").write_text(json.dumps(heads, indent=1) + "\n", encoding="utf-8")
    (directory / "keys.json").write_text(json.dumps(keys, indent=1) + "\n", encoding="utf-8")
    return {"entries": count, "heads": len(heads), "keys": len(keys)}

