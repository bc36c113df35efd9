#!/usr/bin/env python3
"""Verify an exported Misto ledger offline, without Misto or Django.

Usage::

    python -m misto.ledger.standalone_verify EXPORT_DIR      # inside a Misto checkout
    python3 standalone_verify.py EXPORT_DIR                  # copied alone, beside merkle.py
    python3 standalone_verify.py EXPORT_DIR --known-heads OLD/heads.json   # as a witness

``EXPORT_DIR`` holds what ``misto ledger export`` writes (or the ledger page offers for
download): ``entries.jsonl``, ``heads.json`` and ``keys.json`` (format in docs/ledger.md).
Needs Python 3.11+ and the ``cryptography`` package; the Merkle functions come from
``misto.ledger.merkle`` or, when that is not importable, from ``merkle.py`` next to this file.

A *redacted* export (``misto ledger new-log`` writes one of a log it closes) has lines with
``leaf_index`` and ``leaf_hash`` but no ``entry``: the tree, the heads and remembered heads are
checked from those leaf hashes; the text of such entries cannot be, and the verifier says how
many there were.

Checks: every key id is the SHA-256 of its public key; every head is signed (Ed25519, over
RFC 6962's TreeHeadSignature bytes) by a published key; sizes and timestamps never go back;
entries are numbered 0, 1, 2... without a gap; each leaf hash is SHA-256(0x00 || entry) and
each entry is a canonical JSON document; the RFC 9162 root recomputed at every head's size
equals the signed root; an RFC 9162 consistency proof between consecutive heads verifies;
with ``--known-heads``, every head remembered from an earlier export still matches (a rewritten
history cannot hide behind fresh heads).

Exit 0 when everything holds; 1 with ``first bad entry: <index>`` when an entry does not
match (or, when entries agree with their own hashes but not with a signed root, the first
index not proven by a signed head); 1 for bad heads or keys; 2 when the files are unreadable.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import bisect
import hashlib
import itertools
import json
import struct
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_der_public_key

try:
    from misto.ledger import merkle
except ImportError:  # copied alone: use merkle.py from the same folder
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import merkle  # type: ignore[no-redef]


class Result:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.first_bad_entry: int | None = None
        self.entries = 0
        self.heads = 0
        self.redacted = 0  # lines with a leaf hash only
        self.unsigned = 0  # entries no head covers, checked against their promises

    def bad_entry(self, index: int, message: str) -> None:
        self.problems.append(message)
        if self.first_bad_entry is None or index < self.first_bad_entry:
            self.first_bad_entry = index


def _b64(value: Any) -> bytes | None:
    if not isinstance(value, str):
        return None
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None


def signed_bytes(tree_size: int, timestamp: int, root: bytes) -> bytes:
    """RFC 6962 3.5 TreeHeadSignature: v1, tree_hash, uint64 timestamp, uint64 size, root."""
    return struct.pack(">BBQQ", 0, 1, timestamp, tree_size) + root


def head_signature_ok(public_key_der: bytes, head: dict[str, Any], root: bytes) -> bool:
    return _signed(public_key_der, head.get("tree_head_signature"),
                   lambda: signed_bytes(head["tree_size"], head["timestamp"], root))


def _signed(public_key_der: bytes, signature: Any, message: Callable[[], bytes]) -> bool:
    blob = _b64(signature)
    # TLS DigitallySigned: scheme ed25519 (0x0807), uint16 length 64, signature.
    if blob is None or len(blob) != 68 or blob[:4] != b"\x08\x07\x00\x40":
        return False
    try:
        key = load_der_public_key(public_key_der)
        if not isinstance(key, Ed25519PublicKey):
            return False
        key.verify(blob[4:], message())
    except (InvalidSignature, ValueError, struct.error):
        return False
    return True


def promise_ok(keys: dict[str, bytes], promise: Any, leaves: list[bytes]) -> bool:
    """Whether ``promise`` (an export line's) is the log's signed promise for the batch whose
    leaf hashes are ``leaves``: v1, entry_timestamp (0), uint64 time, uint64 first index,
    uint64 count, uint32 merge delay (s), the MTH of the leaf hashes (docs/ledger.md, "Signed
    promises of inclusion")."""
    der = keys.get(promise.get("log_id", ""))
    return der is not None and _signed(der, promise.get("signature"), lambda: struct.pack(
        ">BBQQQI", 0, 0, promise["timestamp"], promise["batch_start"], len(leaves),
        promise["max_merge_delay"]) + merkle.root_from_leaf_hashes(leaves))


def _promise_fields(promise: Any) -> tuple[int, int, int, int] | None:
    """``(timestamp, batch_start, batch_size, max_merge_delay)`` of a well-formed promise."""
    if not isinstance(promise, dict):
        return None
    fields = tuple(promise.get(name) for name in
                   ("timestamp", "batch_start", "batch_size", "max_merge_delay"))
    if not all(_is_count(value) for value in fields) or not fields[2]:
        return None
    return fields  # type: ignore[return-value]


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**64


def _canonical(text: str) -> bool:
    try:
        document = json.loads(text)
    except ValueError:
        return False
    if not isinstance(document, dict) or set(document) != {"data", "kind", "time"}:
        return False
    again = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                       allow_nan=False)
    return again == text


def _node_getter(leaves: list[bytes]) -> Callable[[int, int], bytes]:
    cache: dict[tuple[int, int], bytes] = {}

    def get(level: int, index: int) -> bytes:
        if level == 0:
            return leaves[index]
        found = cache.get((level, index))
        if found is None:
            found = merkle.node_hash(get(level - 1, 2 * index), get(level - 1, 2 * index + 1))
            cache[(level, index)] = found
        return found

    return get


def load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise SystemExit(f"cannot read {path}: {error}") from None


def _parse_heads(items: Any, keys: dict[str, bytes], label: str,
                 result: Result) -> list[tuple[int, int, bytes]]:
    """Check each head's form and signature; return ``(size, timestamp, root)`` in order."""
    heads: list[tuple[int, int, bytes]] = []
    if not isinstance(items, list):
        result.problems.append(f"{label}: not a list of heads")
        return heads
    for number, head in enumerate(items):
        root = _b64(head.get("sha256_root_hash")) if isinstance(head, dict) else None
        if root is None or len(root) != 32 or not _is_count(head.get("tree_size")) \
                or not _is_count(head.get("timestamp")):
            result.problems.append(f"{label} {number}: malformed")
            continue
        der = keys.get(head.get("key_id", ""))
        if der is None:
            result.problems.append(f"{label} {number}: signed by an unpublished key")
        elif not head_signature_ok(der, head, root):
            result.problems.append(f"{label} {number} (size {head['tree_size']}): bad signature")
        if heads and (head["tree_size"] < heads[-1][0] or head["timestamp"] < heads[-1][1]):
            result.problems.append(f"{label} {number}: goes back in size or time")
        heads.append((head["tree_size"], head["timestamp"], root))
    return heads


def verify(directory: Path, known_heads: Path | None = None) -> Result:
    """Verify the export in ``directory``; ``known_heads`` is a heads.json kept from earlier
    (a witness's memory): each of those heads must still match the exported entries."""
    result = Result()
    keys: dict[str, bytes] = {}
    published = load_json(directory / "keys.json")
    for key in published if isinstance(published, list) else [published]:
        der = _b64(key.get("public_key")) if isinstance(key, dict) else None
        if der is None or base64.b64encode(hashlib.sha256(der).digest()).decode() \
                != key.get("key_id"):
            result.problems.append(f"key {key!r}: its id is not the SHA-256 of its public key")
            continue
        keys[key["key_id"]] = der

    heads = _parse_heads(load_json(directory / "heads.json"), keys, "head", result)
    result.heads = len(heads)
    remembered = (_parse_heads(load_json(known_heads), keys, "remembered head", result)
                  if known_heads is not None else [])
    roots_at: dict[int, list[bytes]] = {}
    for size, _, root in heads + remembered:
        roots_at.setdefault(size, []).append(root)

    leaves: list[bytes] = []
    stack: list[tuple[int, bytes]] = []
    proven = 0
    signed_size = max((size for size, _, _ in heads), default=0)
    promised: list[tuple[int, int]] = []  # (index, deadline in ms) of every promised entry
    for root in roots_at.get(0, []):
        if root != merkle.EMPTY_ROOT:
            result.bad_entry(0, "a head of size 0 does not have the empty root")
    try:
        handle = (directory / "entries.jsonl").open(encoding="utf-8")
    except OSError as error:
        raise SystemExit(f"cannot read entries.jsonl: {error}") from None
    with handle:
        for expected, line in enumerate(handle):
            try:
                item = json.loads(line)
                index = item["leaf_index"]
                if "entry" not in item and "leaf_hash" not in item:
                    raise KeyError("entry")
            except (ValueError, KeyError, TypeError):
                result.bad_entry(expected, f"entry {expected}: line {expected + 1} is malformed")
                break
            if index != expected:
                result.bad_entry(expected, f"entry {expected}: line {expected + 1} holds index "
                                           f"{index}")
                break
            if "entry" not in item:  # redacted: the leaf hash stands for the entry
                given = _b64(item["leaf_hash"])
                if given is None or len(given) != 32:
                    result.bad_entry(expected, f"entry {expected}: redacted, and its leaf hash "
                                               "is not 32 bytes of base64")
                    break
                leaf = given
                result.redacted += 1
            else:
                text = item["entry"]
                if not isinstance(text, str):
                    result.bad_entry(expected, f"entry {expected}: the entry is not text")
                    break
                leaf = merkle.leaf_hash(text.encode("utf-8", "surrogatepass"))
                if "leaf_hash" in item and _b64(item["leaf_hash"]) != leaf:
                    result.bad_entry(expected, f"entry {expected}: does not match its leaf hash")
                    break
                if not _canonical(text):
                    result.bad_entry(expected, f"entry {expected}: not a canonical entry "
                                               "document")
                    break
            leaves.append(leaf)
            promise = item.get("promise")
            fields = _promise_fields(promise)
            if fields is not None:
                promised.append((expected, fields[0] + fields[3] * 1000))
            if expected >= signed_size and "entry" in item:
                bad = _tail_problem(keys, promise, fields, expected, leaves)
                if bad is not None:
                    result.bad_entry(*bad)
                    break
            level, digest = 0, leaf
            while stack and stack[-1][0] == level:
                digest = merkle.node_hash(stack.pop()[1], digest)
                level += 1
            stack.append((level, digest))
            count = expected + 1
            for root in roots_at.get(count, []):
                if merkle.fold_right([h for _, h in stack]) != root:
                    result.bad_entry(proven, f"the head of size {count} does not match the "
                                             f"entries; entries from {proven} on are not proven")
                    break
            else:
                proven = count if count in roots_at else proven
            if result.first_bad_entry is not None:
                break
    result.entries = len(leaves)
    result.unsigned = max(0, len(leaves) - signed_size)
    _check_merge_delays(heads, promised, result)
    if result.first_bad_entry is None:
        if any(size > len(leaves) for size in roots_at):
            result.bad_entry(len(leaves), f"entry {len(leaves)} is missing (a head covers it)")
        else:
            get = _node_getter(leaves)
            for (old, _, old_root), (new, _, new_root) in itertools.pairwise(heads):
                if old > new:
                    continue  # reported above
                ranges = merkle.consistency_proof_ranges(old, new)
                proof = merkle.proof_from_ranges(get, ranges)
                if not merkle.verify_consistency(old, new, old_root, new_root, proof):
                    result.problems.append(f"heads of sizes {old} and {new} are not consistent")
    return result


def _tail_problem(keys: dict[str, bytes], promise: Any,
                  fields: tuple[int, int, int, int] | None, index: int,
                  leaves: list[bytes]) -> tuple[int, str] | None:
    """Why an entry under no signed head is not covered by its signed promise, or None. The
    promise is checked at its batch's last entry, over the leaf hashes of the whole batch."""
    if fields is None:
        return index, f"entry {index}: under no signed head, and without a signed promise"
    _, start, size, _ = fields
    if not start <= index < start + size:
        return index, f"entry {index}: its promise names another batch"
    if index < start + size - 1:
        return None
    if start + size > len(leaves) or not promise_ok(keys, promise, leaves[start:start + size]):
        return start, (f"entries {start}..{start + size - 1}: under no signed head, and they do "
                       "not match their signed promise of inclusion")
    return None


def _check_merge_delays(heads: list[tuple[int, int, bytes]], promised: list[tuple[int, int]],
                        result: Result) -> None:
    """The first head signed at or after a promise's deadline must cover its entry."""
    by_time = sorted((timestamp, size) for size, timestamp, _ in heads)
    times = [timestamp for timestamp, _ in by_time]
    for index, deadline in promised:
        due = bisect.bisect_left(times, deadline)
        if due < len(times) and by_time[due][1] <= index:
            result.problems.append(f"entry {index}: the head signed at {by_time[due][0]}, after "
                                   "the promised merge delay, does not include it: the log "
                                   "broke its promise")
            return


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Verify an exported Misto ledger (entries.jsonl, heads.json, keys.json).")
    parser.add_argument("directory", type=Path, help="the export folder")
    parser.add_argument("--known-heads", type=Path, metavar="FILE",
                        help="a heads.json you kept from before: the log must still match it")
    try:
        args = parser.parse_args(argv)
    except SystemExit as error:
        return 2 if error.code else 0
    directory: Path = args.directory
    if not directory.is_dir():
        print(f"{directory} is not a directory", file=sys.stderr)
        return 2
    try:
        result = verify(directory, args.known_heads)
    except SystemExit as error:
        print(error, file=sys.stderr)
        return 2
    for problem in result.problems:
        print(problem, file=sys.stderr)
    print(f"checked {result.entries} entries and {result.heads} signed heads")
    if result.unsigned:
        print(f"{result.unsigned} entries are under no signed head yet; each matched its signed "
              "promise of inclusion")
    if result.redacted:
        print(f"{result.redacted} entries are redacted (leaf hash only): the tree and the heads "
              "over them are checked, their text cannot be")
    if not result.problems:
        print("ledger intact")
        return 0
    if result.first_bad_entry is not None:
        print(f"first bad entry: {result.first_bad_entry}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
