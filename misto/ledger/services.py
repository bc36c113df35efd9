"""The ledger's operations: append, integrate, sign heads, prove, verify, export.

Everything else in the module (API, pages, command, event handlers, tasks) calls these
functions. Three invariants hold throughout:

* Entry indices are gapless from 0. ``append`` takes the :class:`LedgerState` row lock to
  assign them, so an appending transaction that rolls back leaves no hole; the lock is held
  until the caller's transaction ends, so callers should append late in their transaction.
* :class:`LedgerNode` rows are written once per completed perfect subtree and never updated
  (``integrate_pending``); the ragged right edge of any tree is folded on demand, so every
  proof and every historic root reads O(log n) nodes in one query.
* Heads only cover integrated leaves, and proofs only address integrated sizes.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from misto.core.bus import publish
from misto.ledger import merkle, sth
from misto.ledger.canonical import canonical_json, is_canonical
from misto.ledger.errors import LedgerCode, LedgerError
from misto.ledger.models import (
    LedgerEntry,
    LedgerKey,
    LedgerNode,
    LedgerState,
    SignedTreeHead,
    node_key,
)

logger = logging.getLogger(__name__)

STATE_PK = 1
INTEGRATE_BATCH = 50_000
#: A scheduled head is issued when the tree grew, or when the last head is older than this.
HEAD_MAX_AGE_MS = 24 * 3600 * 1000

#: The kind of entry 0 of a log that replaced another (``misto.ledger.succession``).
LOG_REPLACED_KIND = "ledger.LogReplaced"


@dataclass(frozen=True)
class Receipt:
    """What a writer (and the resident behind it) keeps: the entry's index and leaf hash."""

    index: int
    leaf_hash: bytes
    kind: str
    created_at: datetime

    def as_json(self) -> dict[str, Any]:
        return {"leaf_index": self.index, "leaf_hash": sth.b64(self.leaf_hash)}

    def as_text(self) -> str:
        return json.dumps(self.as_json(), separators=(",", ":"))


# ---------------------------------------------------------------------------------------------
# Appending
# ---------------------------------------------------------------------------------------------


def entry_time(moment: datetime) -> str:
    """The entry's ``time`` field: UTC, millisecond precision, ``Z`` suffix."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def actor_ref(actor: str) -> str:
    """Keyed hash of an actor (a user's primary key as a string): pseudonymous, not exported."""
    return salted_hmac("misto.ledger.actor", actor, algorithm="sha256").hexdigest()


@lru_cache(maxsize=1024)
def _valid_kind(kind: str) -> bool:
    return 0 < len(kind) <= 100 and kind.isascii() and \
        kind.replace(".", "").replace("_", "").replace("-", "").isalnum()


def entry_document(kind: str, payload: Mapping[str, Any], moment: datetime | str) -> str:
    """The canonical JSON leaf for an entry; ``LedgerError`` when it cannot be one.

    ``moment`` is the entry's time, or that time already formatted by ``entry_time``.
    """
    if not isinstance(kind, str) or not _valid_kind(kind):
        raise LedgerError(LedgerCode.INVALID_ENTRY,
                          f"kind {kind!r} must be 1-100 ASCII letters, digits, '.', '_' or '-'")
    if not isinstance(payload, Mapping):
        raise LedgerError(LedgerCode.INVALID_ENTRY, "payload must be a JSON object")
    try:
        time = moment if isinstance(moment, str) else entry_time(moment)
        return canonical_json({"data": dict(payload), "kind": kind, "time": time})
    except ValueError as error:
        raise LedgerError(LedgerCode.INVALID_ENTRY,
                          f"payload is not canonical JSON: {error}") from None


def _now_ms() -> datetime:
    now = timezone.now()
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def append(kind: str, payload: Mapping[str, Any], actor: str | None = None) -> Receipt:
    """Append one entry to the public ledger and return its receipt.

    ``kind`` names what happened (``"petitions.PetitionSigned"``); ``payload`` is a JSON object
    of public references and hiding commitments, never personal data nor a plain hash of
    anything guessable (it is published as is, for good); ``actor`` is the
    acting resident's user id as a string, kept only as a keyed hash so the resident sees the
    receipt in the cabinet. Runs in the caller's transaction (a rollback removes the entry and
    leaves no gap) and holds the ledger lock until that transaction ends. Raises
    ``LedgerError`` (a ``ValueError``) for input that cannot be ledgered, before writing.
    """
    return append_many([(kind, payload, actor)])[0]


def append_many(items: Iterable[tuple[str, Mapping[str, Any], str | None]]) -> list[Receipt]:
    """Append many entries in one batch (one lock, one bulk insert); receipts in order."""
    moment = _now_ms()
    stamp = entry_time(moment)
    prepared: list[tuple[str, str, bytes, str | None]] = []
    for kind, payload, actor in items:
        document = entry_document(kind, payload, stamp)
        leaf = merkle.leaf_hash(document.encode("utf-8"))
        prepared.append((kind, document, leaf, actor_ref(actor) if actor else None))
    if not prepared:
        return []
    with transaction.atomic():
        start = _locked_state().size
        rows = [
            (start + offset, kind, document, leaf, moment, ref)
            for offset, (kind, document, leaf, ref) in enumerate(prepared)
        ]
        bulk_insert(LedgerEntry,
                    ["index", "kind", "payload", "leaf_hash", "created_at", "actor_ref"], rows)
        LedgerState.objects.filter(pk=STATE_PK).update(size=start + len(rows))
    return [Receipt(row[0], row[3], row[1], moment) for row in rows]


def _locked_state() -> LedgerState:
    """The state row, locked until the end of the current transaction (created if missing)."""
    state = LedgerState.objects.select_for_update().filter(pk=STATE_PK).first()
    if state is None:
        LedgerState.objects.get_or_create(pk=STATE_PK)
        state = LedgerState.objects.select_for_update().get(pk=STATE_PK)
    return state


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column
    return field.column


def bulk_insert(model: type[models.Model], columns: Sequence[str],
                rows: Sequence[Sequence[Any]]) -> None:
    """Insert ``rows`` fast: COPY on PostgreSQL, one prepared ``executemany`` on SQLite.

    Values must already be database-ready (bytes, ints, text, aware datetimes).
    """
    if not rows:
        return
    ops = connection.ops
    table = ops.quote_name(model._meta.db_table)
    names = ", ".join(ops.quote_name(_column(model, c)) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            stamps = [i for i, value in enumerate(rows[0]) if isinstance(value, datetime)]
            adapted: Sequence[Sequence[Any]] = rows
            if stamps:
                moments: dict[datetime, Any] = {}
                converted = []
                for row in rows:
                    values = list(row)
                    for i in stamps:
                        moment = values[i]
                        if moment not in moments:
                            moments[moment] = ops.adapt_datetimefield_value(moment)
                        values[i] = moments[moment]
                    converted.append(values)
                adapted = converted
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", adapted)


# ---------------------------------------------------------------------------------------------
# The tree
# ---------------------------------------------------------------------------------------------


def tree_sizes() -> tuple[int, int]:
    """``(size, integrated_size)`` without locking."""
    row = LedgerState.objects.filter(pk=STATE_PK).values_list("size", "integrated_size").first()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def integrate_pending(batch: int = INTEGRATE_BATCH) -> int:
    """Store the perfect subtrees completed by entries not yet integrated; returns how many
    leaves were integrated. Each batch of up to ``batch`` leaves is one transaction holding the
    state lock, so appends wait at most one batch."""
    total = 0
    while True:
        with transaction.atomic():
            state = _locked_state()
            done, size = int(state.integrated_size), int(state.size)
            if done >= size:
                return total
            end = min(size, done + batch)
            _integrate(done, end)
            LedgerState.objects.filter(pk=STATE_PK).update(integrated_size=end)
        total += end - done


def _integrate(done: int, end: int) -> None:
    """Write the nodes completed by leaves ``[done, end)``. Call holding the state lock."""
    edge = merkle.range_decomposition(0, done)
    found = fetch_nodes(edge)
    stack = [(level, index, found[(level, index)]) for level, index in edge]
    leaves = list(
        LedgerEntry.objects.filter(index__gte=done, index__lt=end)
        .order_by("index").values_list("index", "leaf_hash")
    )
    if len(leaves) != end - done or (leaves and int(leaves[-1][0]) != end - 1):
        raise RuntimeError(f"ledger entries [{done}, {end}) are not contiguous")
    nodes: list[tuple[int, int, int, bytes]] = []
    for index, stored in leaves:
        level, position, digest = 0, int(index), bytes(stored)
        nodes.append((node_key(0, position), 0, position, digest))
        while stack and stack[-1][0] == level:
            left = stack.pop()[2]
            digest = merkle.node_hash(left, digest)
            level += 1
            position >>= 1
            nodes.append((node_key(level, position), level, position, digest))
        stack.append((level, position, digest))
    bulk_insert(LedgerNode, ["key", "level", "index", "hash"], nodes)


def fetch_nodes(addresses: Sequence[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    """The stored hashes of ``(level, index)`` nodes, in one query."""
    if not addresses:
        return {}
    shift = {node_key(level, index): (level, index) for level, index in addresses}
    found = {
        shift[int(key)]: bytes(digest)
        for key, digest in LedgerNode.objects.filter(key__in=list(shift))
        .values_list("key", "hash")
    }
    if len(found) != len(shift):
        missing = sorted(set(shift.values()) - set(found))
        raise RuntimeError(f"ledger tree nodes missing: {missing[:5]}")
    return found


def _check_size(size: int, name: str = "size", integrated: int | None = None) -> None:
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise LedgerError(LedgerCode.INVALID_SIZE, f"{name} must be a non-negative integer")
    if integrated is None:
        integrated = tree_sizes()[1]
    if size > integrated:
        raise LedgerError(LedgerCode.SIZE_BEYOND_TREE,
                          f"{name} {size} is beyond the tree size {integrated}")


def root_at(size: int) -> bytes:
    """The Merkle root of the first ``size`` integrated entries (popcount(size) nodes)."""
    _check_size(size)
    nodes = fetch_nodes(merkle.range_decomposition(0, size))
    return merkle.root_from_nodes(lambda level, index: nodes[(level, index)], size)


def inclusion_proof(index: int, size: int) -> list[bytes]:
    """RFC 9162 2.1.3.1 audit path of entry ``index`` in the tree of ``size`` entries."""
    _check_size(size)
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < size:
        raise LedgerError(LedgerCode.INDEX_OUT_OF_RANGE,
                          f"index must satisfy 0 <= index < size ({size}), got {index}")
    ranges = merkle.inclusion_proof_ranges(index, size)
    nodes = fetch_nodes(merkle.proof_nodes(ranges))
    return merkle.proof_from_ranges(lambda level, i: nodes[(level, i)], ranges)


def consistency_proof(first: int, second: int) -> list[bytes]:
    """RFC 9162 2.1.4.1 proof that the tree of ``first`` entries is a prefix of ``second``'s."""
    _check_size(first, "first", integrated=2**63)
    _check_size(second, "second")
    if first > second:
        raise LedgerError(LedgerCode.INVALID_SIZE,
                          f"first ({first}) must not exceed second ({second})")
    ranges = merkle.consistency_proof_ranges(first, second)
    nodes = fetch_nodes(merkle.proof_nodes(ranges))
    return merkle.proof_from_ranges(lambda level, i: nodes[(level, i)], ranges)


def leaf_hash_of(index: int) -> bytes:
    """The stored leaf hash of entry ``index``."""
    value = LedgerEntry.objects.filter(index=index).values_list("leaf_hash", flat=True).first()
    if value is None:
        raise LedgerError(LedgerCode.NOT_FOUND, f"there is no entry {index}")
    return bytes(value)


# ---------------------------------------------------------------------------------------------
# Keys and signed tree heads
# ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def load_private_key(setting: str, source: str = "MISTO_LEDGER_KEY") -> Ed25519PrivateKey:
    """A private key given as base64 of the raw 32 bytes, or the path of a file holding that
    text, the raw bytes or a PEM key; ``ImproperlyConfigured`` naming ``source`` otherwise."""
    raw: bytes
    path = Path(setting) if len(setting) < 4096 else None
    if path is not None and path.is_file():
        data = path.read_bytes()
        source = str(path)
        if data.lstrip().startswith(b"-----BEGIN"):
            key = serialization.load_pem_private_key(data, password=None)
            if not isinstance(key, Ed25519PrivateKey):
                raise ImproperlyConfigured(f"{source}: not an Ed25519 private key")
            return key
        raw = data if len(data) == 32 else _b64_32(data.strip(), source)
    else:
        raw = _b64_32(setting.strip().encode(), source)
    return Ed25519PrivateKey.from_private_bytes(raw)


def _b64_32(text: bytes, source: str) -> bytes:
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise ImproperlyConfigured(
            f"{source}: expected base64 of a raw 32-byte Ed25519 private key, a file holding "
            "one, or a PEM file"
        )
    return raw


def signing_key() -> Ed25519PrivateKey:
    return load_private_key(str(settings.MISTO_LEDGER_KEY))


def public_key_der(private_key: Ed25519PrivateKey) -> bytes:
    return private_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def generate_key() -> str:
    """A new private key as MISTO_LEDGER_KEY wants it (base64 of the raw 32 bytes)."""
    raw = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    return base64.b64encode(raw).decode()


def _active_key(private_key: Ed25519PrivateKey | None = None) -> tuple[LedgerKey,
                                                                       Ed25519PrivateKey]:
    """Register and activate ``private_key`` (default: the configured key); retire any other
    active key (rotation). Call inside a transaction holding the state lock.
    """
    private_key = private_key or signing_key()
    der = public_key_der(private_key)
    kid = sth.key_id(der)
    now = timezone.now()
    row, created = LedgerKey.objects.get_or_create(key_id=kid, defaults={"public_key": der})
    if not created and not row.active:
        row.active = True
        row.retired_at = None
        row.save(update_fields=["active", "retired_at"])
    LedgerKey.objects.filter(active=True).exclude(pk=row.pk).update(active=False, retired_at=now)
    return row, private_key


def latest_head() -> SignedTreeHead | None:
    return SignedTreeHead.objects.select_related("key").order_by("-id").first()


def issue_head(force: bool = True,
               private_key: Ed25519PrivateKey | None = None) -> SignedTreeHead | None:
    """Integrate pending entries, then sign and store a head over the whole tree.

    With ``force=False`` (the schedule) nothing is issued when the tree has not grown since the
    last head and that head is younger than ``HEAD_MAX_AGE_MS``. Timestamps strictly increase.
    ``private_key`` signs instead of the configured key (only for closing a log that is being
    replaced, see ``misto.ledger.succession``). Publishes ``ledger.TreeHeadIssued``.
    """
    from misto.ledger.events import TreeHeadIssued

    integrate_pending()
    with transaction.atomic():
        size = int(_locked_state().integrated_size)
        previous = latest_head()
        now_ms = int(timezone.now().timestamp() * 1000)
        if not force and previous is not None and previous.tree_size == size \
                and now_ms - previous.timestamp < HEAD_MAX_AGE_MS:
            return None
        timestamp = max(now_ms, previous.timestamp + 1) if previous else now_ms
        root = root_at(size)
        key, private_key = _active_key(private_key)
        signature = private_key.sign(sth.tree_head_tbs(size, timestamp, root))
        head = SignedTreeHead.objects.create(
            tree_size=size, timestamp=timestamp, root_hash=root, signature=signature, key=key
        )
        publish(TreeHeadIssued(tree_size=size, timestamp=timestamp,
                               sha256_root_hash=sth.b64(root), key_id=key.key_id))
    return head


def head_json(head: SignedTreeHead) -> dict[str, Any]:
    return sth.sth_json(head.tree_size, head.timestamp, bytes(head.root_hash),
                        bytes(head.signature), head.key.key_id)


def head_signature_ok(head: SignedTreeHead) -> bool:
    return sth.verify_signature(bytes(head.key.public_key), head.tree_size, head.timestamp,
                                bytes(head.root_hash), bytes(head.signature))


def key_json(key: LedgerKey) -> dict[str, Any]:
    return {
        "key_id": key.key_id,
        "algorithm": key.algorithm,
        "public_key": sth.b64(bytes(key.public_key)),
        "active": key.active,
        "created_at": key.created_at.isoformat(),
        "retired_at": key.retired_at.isoformat() if key.retired_at else None,
    }


def published_keys() -> list[dict[str, Any]]:
    return [key_json(key) for key in LedgerKey.objects.order_by("created_at", "id")]


# ---------------------------------------------------------------------------------------------
# Verifying the whole log
# ---------------------------------------------------------------------------------------------


@dataclass
class VerifyReport:
    """The outcome of :func:`verify_log`. ``first_bad_entry`` names the lowest index whose
    entry does not match the log's hashes (or the first index not proven by a signed head)."""

    entries: int = 0
    heads: int = 0
    nodes: int = 0
    problems: list[str] = field(default_factory=list)
    first_bad_entry: int | None = None

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


def verify_log(chunk: int = 10_000) -> VerifyReport:
    """Recompute the log from its entries and check everything stored against it.

    Checks, in one pass over the entries in index order: indices are gapless; each leaf hash
    recomputed from the payload equals the stored ``leaf_hash`` and the stored level-0 node;
    the payload is the canonical document of the row's ``kind`` and ``created_at``; every
    stored perfect-subtree node equals the one recomputed from the entries; every signed head's
    root equals the recomputed root at its size. Then every head's signature with its published
    key, sizes and timestamps never decreasing, and the RFC 9162 consistency proof (from the
    stored nodes) between consecutive heads. Stops at the first bad entry.
    """
    report = VerifyReport()
    # Heads first, then sizes, then entries: on a live log, what is read later only grows.
    heads = list(SignedTreeHead.objects.select_related("key").order_by("id"))
    size, integrated = tree_sizes()
    report.heads = len(heads)
    heads_by_size: dict[int, list[SignedTreeHead]] = {}
    for head in heads:
        heads_by_size.setdefault(head.tree_size, []).append(head)

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
        .values_list("index", "kind", "payload", "leaf_hash", "created_at")
        .iterator(chunk_size=chunk)
    )
    for index, kind, payload, stored_leaf, created_at in rows:
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


# ---------------------------------------------------------------------------------------------
# Export for witnesses
# ---------------------------------------------------------------------------------------------


def entry_json(index: int, payload: str | None, leaf: bytes) -> dict[str, Any]:
    """An export line's object; ``payload`` None gives a redacted line (leaf hash only)."""
    line: dict[str, Any] = {"leaf_index": index, "leaf_hash": sth.b64(leaf)}
    if payload is not None:
        line["entry"] = payload
    return line


def iter_export_entries(chunk: int = 10_000, redacted: bool = False) -> Iterator[str]:
    """``entries.jsonl`` line by line (each ends with a newline); ``redacted`` leaves out the
    entries' text and keeps their leaf hashes, which is enough to check the tree and heads."""
    rows = (
        LedgerEntry.objects.order_by("index").values_list("index", "payload", "leaf_hash")
        .iterator(chunk_size=chunk)
    )
    for index, payload, leaf in rows:
        yield json.dumps(entry_json(int(index), None if redacted else payload, bytes(leaf)),
                         separators=(",", ":")) + "\n"


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


# ---------------------------------------------------------------------------------------------
# Receipts and the verify page
# ---------------------------------------------------------------------------------------------


def receipts_for(actor: str, limit: int = 20) -> list[Receipt]:
    """The newest receipts of one actor (a user's primary key as a string)."""
    rows = (
        LedgerEntry.objects.filter(actor_ref=actor_ref(actor)).order_by("-index")
        .values_list("index", "leaf_hash", "kind", "created_at")[:limit]
    )
    return [Receipt(int(i), bytes(h), k, c) for i, h, k, c in rows]


@dataclass(frozen=True)
class Opening:
    """What an event entry's ``digest`` commits to: ``SHA-256(salt || payload) == digest``.

    Shown only to the resident whose receipt the entry is: the salt is what keeps everyone
    else from testing guesses against the digest."""

    salt: str  # hex of the event UUID's 16 bytes
    payload: str  # the event payload's canonical JSON
    digest: str


def openings_for(actor: str, indices: Sequence[int]) -> dict[int, Opening]:
    """The openings of ``actor``'s own entries among ``indices`` (by index). Entries that are
    not that actor's, not from an event, or whose event is no longer in the outbox have none."""
    from misto.core.models import OutboxEvent
    from misto.ledger.events import salted_digest

    digests: dict[int, tuple[int, str]] = {}
    for index, payload in LedgerEntry.objects.filter(
            index__in=list(indices), actor_ref=actor_ref(actor)).values_list("index", "payload"):
        data = json.loads(payload)["data"]
        if isinstance(data, dict) and isinstance(data.get("event_id"), int) \
                and isinstance(data.get("digest"), str):
            digests[int(index)] = (data["event_id"], data["digest"])
    events = OutboxEvent.objects.in_bulk([event_id for event_id, _ in digests.values()])
    openings = {}
    for index, (event_id, digest) in digests.items():
        event = events.get(event_id)
        if event is not None and salted_digest(event.uuid.bytes, event.payload) == digest:
            openings[index] = Opening(event.uuid.hex, canonical_json(event.payload), digest)
    return openings


@dataclass(frozen=True)
class ProofStep:
    sibling: bytes
    side: str  # "left" when the sibling is hashed on the left
    result: bytes


@dataclass
class InclusionCheck:
    """Everything the verify page shows: the head, the path, each step and the verdict."""

    index: int
    leaf_hash: bytes
    head: SignedTreeHead
    signature_ok: bool
    steps: list[ProofStep]
    proven: bool


def trace_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes]) -> list[ProofStep]:
    """The RFC 9162 2.1.3.2 verification steps, for display (the verdict is merkle's)."""
    steps: list[ProofStep] = []
    fn, sn, running = index, size - 1, leaf
    for sibling in proof:
        if sn == 0:
            break
        if fn & 1 or fn == sn:
            running = merkle.node_hash(sibling, running)
            steps.append(ProofStep(sibling, "left", running))
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            running = merkle.node_hash(running, sibling)
            steps.append(ProofStep(sibling, "right", running))
        fn >>= 1
        sn >>= 1
    return steps


def check_inclusion(index: int, leaf: bytes) -> InclusionCheck:
    """Prove leaf hash ``leaf`` at ``index`` against the latest signed head.

    ``LedgerError`` when there is no head yet, or the head does not cover ``index``.
    """
    head = latest_head()
    if head is None:
        raise LedgerError(LedgerCode.NOT_FOUND, "no tree head has been signed yet")
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise LedgerError(LedgerCode.INDEX_OUT_OF_RANGE,
                          "the index must be a non-negative integer")
    if index >= head.tree_size:
        raise LedgerError(LedgerCode.INDEX_OUT_OF_RANGE,
                          f"entry {index} is not covered by the latest signed head (size "
                          f"{head.tree_size}) yet")
    proof = inclusion_proof(index, head.tree_size)
    root = bytes(head.root_hash)
    return InclusionCheck(
        index=index, leaf_hash=leaf, head=head, signature_ok=head_signature_ok(head),
        steps=trace_inclusion(leaf, index, head.tree_size, proof),
        proven=merkle.verify_inclusion_by_leaf_hash(leaf, index, head.tree_size, proof, root),
    )
