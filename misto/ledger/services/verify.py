"""Verifying the whole log: recompute everything from the entries and compare.

Why a file of its own: the full check is the ledger's own audit (``misto ledger verify``, the
tamper tests, the precondition of replacing a log); it reads every entry, node and head and
must agree with what an outside verifier computes from an export.
"""

from __future__ import annotations

import bisect
import json
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime

from django.db import models
from django.utils import timezone

from misto.ledger import merkle, sth
from misto.ledger.canonical import is_canonical
from misto.ledger.models import LedgerEntry, LedgerKey, LedgerNode, SignedTreeHead, node_key
from misto.ledger.services.appending import LOG_REPLACED_KIND, entry_time, epoch_ms
from misto.ledger.services.heads import head_signature_ok
from misto.ledger.services.tree import consistency_proof, tree_sizes


@dataclass
class VerifyReport:
    """The outcome of :func:`verify_log`. ``first_bad_entry`` names the lowest index whose
    entry does not match the log's hashes (or the first index not proven by a signed head)."""

    entries: int = 0
    heads: int = 0
    nodes: int = 0
    problems: list[str] = field(default_factory=list)
    first_bad_entry: int | None = None
    #: The unsigned tail: entries no signed head covers yet (each checked against its signed
    #: promise of inclusion instead), since when the oldest of them waits, and how many of
    #: them are past the merge delay their promise names.
    unsigned: int = 0
    unsigned_since: datetime | None = None
    overdue: int = 0
    #: Entries a head signed after their promised merge delay left out (the log broke its
    #: promise); the first is also among ``problems``.
    broken_promises: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def bad_entry(self, index: int, message: str) -> None:
        self.problems.append(message)
        if self.first_bad_entry is None or index < self.first_bad_entry:
            self.first_bad_entry = index


class _StoredNodes:
    """Streams stored nodes level by level in index order (keyset pages of ``chunk``)."""

    def __init__(self, chunk: int, integrated: int) -> None:
        self.chunk = chunk
        self.buffers: dict[int, deque[tuple[int, bytes]]] = {}
        self.seen = 0
        self.complete: set[int] = set()  # levels fully loaded up front
        if 0 < 2 * integrated <= chunk:  # a small tree: every level in one query
            for level, index, digest in LedgerNode.objects.order_by("key").values_list(
                    "level", "index", "hash"):
                self.buffers.setdefault(int(level), deque()).append((int(index), bytes(digest)))
            self.complete = set(range(integrated.bit_length() + 1)) | set(self.buffers)

    def get(self, level: int, index: int) -> bytes | None:
        buffer = self.buffers.setdefault(level, deque())
        while buffer and buffer[0][0] < index:
            buffer.popleft()
        if not buffer and level not in self.complete:
            rows = (
                LedgerNode.objects.filter(key__gte=node_key(level, index),
                                          key__lt=node_key(level + 1, 0))
                .order_by("key").values_list("index", "hash")[: self.chunk]
            )
            buffer.extend((int(i), bytes(h)) for i, h in rows)
        if buffer and buffer[0][0] == index:
            self.seen += 1
            return buffer.popleft()[1]
        return None


def _document_problem(index: int, payload: str, kind: str, created_at: datetime) -> str | None:
    """Why an entry's document disagrees with its columns, or None when it agrees."""
    if not is_canonical(payload):
        return f"entry {index}: payload is not canonical JSON"
    document = json.loads(payload)
    if not isinstance(document, dict) or set(document) != {"data", "kind", "time"}:
        return f"entry {index}: payload is not an entry document"
    if document["kind"] != kind:
        return f"entry {index}: kind column {kind!r} differs from the hashed kind"
    if document["time"] != entry_time(created_at):
        return f"entry {index}: created_at column differs from the hashed time"
    if kind == LOG_REPLACED_KIND:
        problem = sth.statement_problem(document["data"]) if index == 0 else \
            "only entry 0 may be a log-replaced statement"
        if problem:
            return f"entry {index}: {problem}"
    return None


def _nodes_within(size: int) -> int:
    """How many stored nodes lie inside the tree of the first ``size`` leaves."""
    if size == 0:
        return 0
    inside = models.Q()
    for level in range(size.bit_length()):
        inside |= models.Q(key__gte=node_key(level, 0), key__lt=node_key(level, size >> level))
    return LedgerNode.objects.filter(inside).count()


@dataclass
class _Batch:
    """Entries appended together, under one promise: collected until the last one is read."""

    ident: tuple[object, ...]  # (start, size, signature, key, delay, time): equal in every row
    start: int
    size: int
    leaves: list[bytes] = field(default_factory=list)


class _Promises:
    """Checks entries against the signed promises of inclusion given with their receipts.

    An entry in the unsigned tail (no signed head covers it yet) is protected by its promise
    alone, so there it must have one, and the promise's signature must cover the Merkle root
    of its batch's leaf hashes *recomputed from the entries*, at these indices and this time:
    rewriting, reordering or re-dating an entry there, or dropping a promise, is caught, as a
    head catches it below. For every promised entry, the first head signed after the promised
    merge delay must include it.
    """

    def __init__(self, heads: list[SignedTreeHead], signed_size: int) -> None:
        self.keys = dict(LedgerKey.objects.values_list("pk", "public_key"))
        ordered = sorted(heads, key=lambda head: (head.timestamp, head.pk))
        self.heads = ordered
        self.times = [head.timestamp for head in ordered]
        self.now_ms = epoch_ms(timezone.now())
        self.signed_size = signed_size
        self.batch: _Batch | None = None

    def check(self, report: VerifyReport, index: int, leaf: bytes, created_at: datetime,
              promise: tuple[bytes | memoryview | None, int | None, int | None, int | None,
                             int | None]) -> tuple[int, str] | None:
        """``(first bad index, why)`` when the entry breaks its promise, else None; counts
        the tail and checks the merge delay."""
        signature, key, delay, start, size = promise
        stamp = epoch_ms(created_at)
        unsigned = index >= self.signed_size
        if unsigned and report.unsigned_since is None:
            report.unsigned_since = created_at
        if signature is None or key is None or delay is None or start is None or not size:
            self.batch = None
            if unsigned:
                return index, f"entry {index} is under no signed head and has no signed promise"
            return None
        problem = self._collect(index, leaf, (start, size, bytes(signature), key, delay, stamp))
        if problem:
            return problem
        deadline = stamp + delay * 1000
        due = bisect.bisect_left(self.times, deadline)
        if due == len(self.times):
            if unsigned and self.now_ms > deadline:
                report.overdue += 1  # no head yet, and the promised delay is over
        elif self.heads[due].tree_size <= index:
            report.broken_promises += 1
            if report.broken_promises == 1:
                head = self.heads[due]
                report.problems.append(
                    f"entry {index}: head #{head.pk} (size {head.tree_size}), signed after the "
                    f"promised merge delay of {delay} s, does not include it: the log broke "
                    "its promise")
        return None

    def _collect(self, index: int, leaf: bytes,
                 ident: tuple[int, int, bytes, int, int, int]) -> tuple[int, str] | None:
        """Add the entry to its batch; check the batch's signature when it is complete and
        reaches into the unsigned tail (below, the heads prove every entry already)."""
        start, size, signature, key, delay, stamp = ident
        if start + size <= self.signed_size:
            return None
        broken = (start, f"entries {start}..{start + size - 1} do not match the signed promise "
                         "of inclusion given for them (rewritten, moved or re-dated since they "
                         "were appended)")
        if self.batch is None or self.batch.ident != ident:
            if self.batch is not None or start != index:
                return broken if self.batch is None else (self.batch.start, broken[1])
            self.batch = _Batch(ident, start, size)
        leaves = self.batch.leaves
        leaves.append(leaf)
        if len(leaves) < size:
            return None
        self.batch = None
        if not sth.verify_promise(bytes(self.keys.get(key, b"")), stamp, start, size, delay,
                                  merkle.root_from_leaf_hashes(leaves), signature):
            return broken
        return None

def verify_log(chunk: int = 10_000) -> VerifyReport:
    """Recompute the log from its entries and check everything stored against it.

    Checks, in one pass over the entries in index order: indices are gapless; each leaf hash
    recomputed from the payload equals the stored ``leaf_hash`` and the stored level-0 node;
    the payload is the canonical document of the row's ``kind`` and ``created_at``; every
    stored perfect-subtree node equals the one recomputed from the entries; every signed head's
    root equals the recomputed root at its size; every entry of the unsigned tail has a valid
    signed promise of inclusion, and every promise was kept by the first head signed after its
    merge delay. Then every head's signature with its published key, sizes and timestamps
    never decreasing, and the RFC 9162 consistency proof (from the stored nodes) between
    consecutive heads. Stops at the first bad entry. Also counts the unsigned tail.
    """
    report = VerifyReport()
    # Heads first, then sizes, then entries: on a live log, what is read later only grows.
    heads = list(SignedTreeHead.objects.select_related("key").order_by("id"))
    size, integrated = tree_sizes()
    report.heads = len(heads)
    heads_by_size: dict[int, list[SignedTreeHead]] = {}
    for head in heads:
        heads_by_size.setdefault(head.tree_size, []).append(head)
    signed_size = max((head.tree_size for head in heads), default=0)
    promises = _Promises(heads, signed_size)

    # The last head size proven so far: an entry past it that breaks a head is named by it.
    proven = 0
    for head in heads_by_size.get(0, []):
        if bytes(head.root_hash) != merkle.EMPTY_ROOT:
            report.bad_entry(0, f"head #{head.pk} (size 0) does not have the empty root")

    stored = _StoredNodes(chunk, integrated)
    stack: list[tuple[int, bytes]] = []
    expected = 0
    rows = (
        LedgerEntry.objects.order_by("index")
        .values_list("index", "kind", "payload", "leaf_hash", "created_at", "promise_signature",
                     "promise_key_id", "promise_merge_delay", "promise_batch_start",
                     "promise_batch_size")
        .iterator(chunk_size=chunk)
    )
    for (index, kind, payload, stored_leaf, created_at, signature, key, delay, batch_start,
         batch_size) in rows:
        if report.first_bad_entry is not None:
            break
        if index != expected:
            report.bad_entry(expected, f"entry {expected} is missing (next stored index is "
                                       f"{index})")
            break
        leaf = merkle.leaf_hash(payload.encode("utf-8", "surrogatepass"))
        if leaf != bytes(stored_leaf):
            report.bad_entry(index, f"entry {index}: payload does not match its leaf hash")
            break
        problem = _document_problem(index, payload, kind, created_at)
        if problem:
            report.bad_entry(index, problem)
            break
        broken = promises.check(report, index, leaf, created_at,
                                (signature, key, delay, batch_start, batch_size))
        if broken:
            report.bad_entry(*broken)
            break
        if index < integrated:
            if stored.get(0, index) != leaf:
                report.bad_entry(index, f"entry {index}: leaf hash differs from the tree's")
                break
            level, position, digest = 0, index, leaf
            while stack and stack[-1][0] == level:
                digest = merkle.node_hash(stack.pop()[1], digest)
                level += 1
                position >>= 1
                if stored.get(level, position) != digest:
                    first = position << level
                    report.bad_entry(first, f"tree node ({level}, {position}) does not match "
                                            f"entries {first}..{index}")
                    break
            if report.first_bad_entry is not None:
                break
            stack.append((level, digest))
        else:
            stack.append((0, leaf))  # past the tree: only head roots use these (none should)
            while len(stack) > 1 and stack[-1][0] == stack[-2][0]:
                right, left = stack.pop(), stack.pop()
                stack.append((left[0] + 1, merkle.node_hash(left[1], right[1])))
        expected = index + 1
        for head in heads_by_size.get(expected, []):
            root = merkle.fold_right([digest for _, digest in stack])
            if root != bytes(head.root_hash):
                report.bad_entry(proven, f"head #{head.pk} (size {head.tree_size}) does not "
                                         f"match the entries; entries from {proven} on are "
                                         "not proven")
            else:
                proven = expected
    report.entries = expected
    if report.first_bad_entry is None and promises.batch is not None:
        start = promises.batch.start
        report.bad_entry(start, f"entries from {start} on: their promised batch is incomplete")
    if report.first_bad_entry is None:
        report.unsigned = max(0, expected - signed_size)

    if report.first_bad_entry is None:
        size_now = tree_sizes()[0]
        if expected < size:
            report.bad_entry(expected, f"entry {expected} is missing (the log holds {size})")
        elif any(head.tree_size > expected for head in heads):
            report.bad_entry(expected, f"entry {expected} is missing (a head covers it)")
        elif expected > size_now:
            report.bad_entry(size_now, f"entries from {size_now} on were never appended "
                                       f"(the log holds {size_now})")
        elif stored.seen != _nodes_within(integrated):
            report.problems.append("the tree holds nodes that no entry accounts for")
    report.nodes = stored.seen

    previous: SignedTreeHead | None = None
    for head in heads:
        if not head_signature_ok(head):
            report.problems.append(f"head #{head.pk} (size {head.tree_size}): the signature does "
                                   f"not verify with key {head.key.key_id}")
        if previous is not None:
            if head.tree_size < previous.tree_size or head.timestamp < previous.timestamp:
                report.problems.append(f"head #{head.pk} goes back in size or time after "
                                       f"head #{previous.pk}")
            elif report.first_bad_entry is None and head.tree_size <= integrated and \
                    not merkle.verify_consistency(
                        previous.tree_size, head.tree_size, bytes(previous.root_hash),
                        bytes(head.root_hash),
                        consistency_proof(previous.tree_size, head.tree_size)):
                report.problems.append(f"heads #{previous.pk} and #{head.pk} are not consistent")
        previous = head
    return report

