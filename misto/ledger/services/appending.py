"""Appending entries: the only way anything enters the public log.

Why a file of its own: this is the one write path every other module reaches (through
``misto.ledger.append`` or the ledger's event handler), and it owns the :class:`LedgerState`
row lock that keeps entry indices gapless from 0. ``append`` takes that lock to assign
indices, so an appending transaction that rolls back leaves no hole; the lock is held until
the caller's transaction ends, so callers should append late in their transaction. The other
concepts (the tree, heads, succession) take the same lock through :func:`locked_state`. Each
batch gets, in its rows, the log's signed promise to cover it with a head within
``MISTO_LEDGER_MAX_MERGE_DELAY`` seconds (:class:`InclusionPromise`): one signature per batch,
so a bulk append pays one, not one per entry.
"""

from __future__ import annotations

import json
import threading
import time
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from itertools import accumulate
from typing import Any, overload

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from misto.core.config import env_int
from misto.ledger import merkle, sth
from misto.ledger.canonical import MAX_ENTRY_BYTES, canonical_json
from misto.ledger.errors import LedgerCode, LedgerError
from misto.ledger.models import LedgerEntry, LedgerKey, LedgerState
from misto.ledger.services.keys import current_key, key_id_of, signing_key

STATE_PK = 1

#: The kind of entry 0 of a log that replaced another (``misto.ledger.succession``).
LOG_REPLACED_KIND = "ledger.LogReplaced"


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def epoch_ms(moment: datetime) -> int:
    """Milliseconds since the Unix epoch, exactly (no float rounding)."""
    return (moment - _EPOCH) // timedelta(milliseconds=1)


def max_merge_delay() -> int:
    """Seconds within which the log promises a signed head covering a new entry."""
    return env_int("MISTO_LEDGER_MAX_MERGE_DELAY", 60, minimum=1)


@dataclass(frozen=True)
class InclusionPromise:
    """The log's signed promise, given at append, to cover the entry with a signed head within
    ``max_merge_delay`` seconds of ``timestamp`` (RFC 9162's SCT, for a ledger entry).

    One signature covers the batch appended together (``batch_leaves``, from
    ``batch_start``): it signs the batch's Merkle root, and the receipt shows its leaf's place
    in the batch with an audit path. Whoever holds it can later hold the log to it: a head
    signed after the deadline must include ``leaf_hash`` at ``leaf_index``."""

    log_id: str
    timestamp: int
    leaf_index: int
    batch_start: int
    batch_leaves: tuple[bytes, ...] = field(repr=False)
    max_merge_delay: int
    signature: bytes

    @property
    def leaf_hash(self) -> bytes:
        return self.batch_leaves[self.leaf_index - self.batch_start]

    @property
    def batch_size(self) -> int:
        return len(self.batch_leaves)

    def batch_root(self) -> bytes:
        return merkle.root_from_leaf_hashes(self.batch_leaves)

    def batch_path(self) -> list[bytes]:
        """The leaf's RFC 9162 audit path within the batch (empty for a batch of one)."""
        ranges = merkle.inclusion_proof_ranges(self.leaf_index - self.batch_start,
                                               self.batch_size)
        return merkle.proof_from_ranges(merkle._memory_node_getter(self.batch_leaves), ranges)

    def as_json(self) -> dict[str, Any]:
        return sth.promise_json(self.log_id, self.timestamp, self.leaf_index, self.leaf_hash,
                                self.batch_start, self.batch_size, self.batch_path(),
                                self.max_merge_delay, self.signature)


@dataclass(frozen=True)
class Receipt:
    """What a writer (and the resident behind it) keeps: the entry's index and leaf hash, and
    the signed promise of inclusion (None for entries older than promises)."""

    index: int
    leaf_hash: bytes
    kind: str
    created_at: datetime
    promise: InclusionPromise | None = None

    def as_json(self) -> dict[str, Any]:
        return {"leaf_index": self.index, "leaf_hash": sth.b64(self.leaf_hash)}

    def as_text(self) -> str:
        return json.dumps(self.as_json(), separators=(",", ":"))


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


#: The fixed part of an entry document around its payload, kind and time (for its size).
_FRAME_BYTES = len('{"data":,"kind":"","time":""}')


def _payload_json(kind: str, payload: Mapping[str, Any]) -> str:
    """The canonical JSON of ``payload`` once ``kind`` is checked: an entry document's
    ``data``; ``LedgerError`` when the two cannot make an entry."""
    if not isinstance(kind, str) or not _valid_kind(kind):
        raise LedgerError(LedgerCode.INVALID_ENTRY,
                          f"kind {kind!r} must be 1-100 ASCII letters, digits, '.', '_' or '-'")
    if not isinstance(payload, Mapping):
        raise LedgerError(LedgerCode.INVALID_ENTRY, "payload must be a JSON object")
    try:
        return canonical_json(payload if type(payload) is dict else dict(payload))
    except ValueError as error:
        raise LedgerError(LedgerCode.INVALID_ENTRY,
                          f"payload is not canonical JSON: {error}") from None


def _document(kind: str, data: str, time: str) -> str:
    """The entry document from its parts, exactly ``canonical_json({"data", "kind", "time"})``:
    the keys are in that order, and a valid kind and a time need no escaping."""
    return f'{{"data":{data},"kind":"{kind}","time":"{time}"}}'


def _check_size(kind: str, data: str, time: str) -> None:
    size = len(data.encode("utf-8")) + len(kind) + len(time) + _FRAME_BYTES
    if size > MAX_ENTRY_BYTES:
        raise LedgerError(LedgerCode.INVALID_ENTRY, "payload is not canonical JSON: $: entry is "
                          f"{size} bytes, more than {MAX_ENTRY_BYTES}")


def entry_document(kind: str, payload: Mapping[str, Any], moment: datetime | str) -> str:
    """The canonical JSON leaf for an entry; ``LedgerError`` when it cannot be one.

    ``moment`` is the entry's time, or that time already formatted by ``entry_time``.
    """
    data = _payload_json(kind, payload)
    time = moment if isinstance(moment, str) else entry_time(moment)
    _check_size(kind, data, time)
    return _document(kind, data, time)


def _now_ms() -> datetime:
    now = timezone.now()
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


#: An entry checked and ready to be stamped: kind, canonical payload, actor reference.
_Checked = tuple[str, str, str | None]


def append(kind: str, payload: Mapping[str, Any], actor: str | None = None) -> Receipt:
    """Append one entry to the public ledger and return its receipt.

    ``kind`` names what happened (``"petitions.PetitionSigned"``); ``payload`` is a JSON object
    of public references and hiding commitments, never personal data nor a plain hash of
    anything guessable (it is published as is, for good); ``actor`` is the
    acting resident's user id as a string, kept only as a keyed hash so the resident sees the
    receipt in the cabinet. Inside a transaction, runs in it (a rollback removes the entry
    and leaves no gap) and holds the ledger lock until that transaction ends. Outside one,
    the entry is its own transaction, and concurrent callers of this process share one
    (group commit, :class:`_Sequencer`); the receipt is returned once that transaction is
    committed. Raises ``LedgerError`` (a ``ValueError``) for input that cannot be ledgered,
    before writing.
    """
    checked = _checked(kind, payload, actor)  # bad input fails its caller only
    if connection.in_atomic_block or not connection.get_autocommit():
        return _append_checked([checked])[0]
    return _SEQUENCER.submit(checked)


def _checked(kind: str, payload: Mapping[str, Any], actor: str | None) -> _Checked:
    data = _payload_json(kind, payload)
    _check_size(kind, data, "1970-01-01T00:00:00.000Z")
    return kind, data, actor_ref(actor) if actor else None


def append_many(items: Iterable[tuple[str, Mapping[str, Any], str | None]]
                ) -> Sequence[Receipt]:
    """Append many entries in one batch (one lock, one statement or COPY); receipts in order.

    All or nothing: an entry that cannot be ledgered raises ``LedgerError`` and none is
    written. On PostgreSQL a batch of ``STREAM_FROM`` entries or more is checked, hashed and
    signed in parts of ``PROMISE_PART`` while the database takes the previous part (one
    transaction, one COPY); each part is promised with its own signature."""
    listed = list(items)
    if connection.vendor == "postgresql" and len(listed) >= STREAM_FROM:
        return _append_streamed(listed)
    return _append_checked([_checked(kind, payload, actor) for kind, payload, actor in listed])


@dataclass
class _Batch:
    """A batch stamped and hashed, ready to be written (``_write``)."""

    moment: datetime
    stamp_ms: int
    delay: int
    kinds: list[str]
    documents: list[str]
    leaves: tuple[bytes, ...]
    refs: list[str | None]
    root: bytes

    def tbs(self, start: int) -> bytes:
        """What the batch's promise signs once its first index is known."""
        return sth.promise_tbs(self.stamp_ms, start, len(self.leaves), self.delay, self.root)


def _append_checked(checked: Sequence[_Checked]) -> Sequence[Receipt]:
    if not checked:
        return []
    batch = _stamped(checked, _now_ms())
    start, key_id, signature = _write(batch)
    return _Receipts(batch, start, key_id, signature)


def _stamped(checked: Sequence[_Checked], moment: datetime) -> _Batch:
    """The batch's documents at ``moment``, their leaf hashes and root."""
    stamp = entry_time(moment)
    documents = [_document(kind, data, stamp) for kind, data, _ref in checked]
    leaves = tuple(merkle.leaf_hash(document.encode("utf-8")) for document in documents)
    return _Batch(moment, epoch_ms(moment), max_merge_delay(),
                  [kind for kind, _data, _ref in checked], documents, leaves,
                  [ref for _kind, _data, ref in checked], merkle.root_from_leaf_hashes(leaves))


def _append_streamed(items: Sequence[tuple[str, Mapping[str, Any], str | None]]
                     ) -> Sequence[Receipt]:
    """PostgreSQL, a large batch: take its indices, then check, hash and sign it in parts,
    each part's rows sent through one COPY while the next part is prepared (the database
    inserts on the other core). Raising anywhere rolls everything back (no gap)."""
    moment = _now_ms()
    parts: list[_Receipts] = []
    with transaction.atomic():
        _durable()
        start, key, private_key = _reserve(len(items))
        ops = connection.ops
        table = ops.quote_name(LedgerEntry._meta.db_table)
        names = ", ".join(ops.quote_name(_column(LedgerEntry, c)) for c in _ENTRY_COLUMNS)
        with connection.cursor() as cursor, \
                cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for offset in range(0, len(items), PROMISE_PART):
                batch = _stamped([_checked(kind, payload, actor) for kind, payload, actor
                                  in items[offset:offset + PROMISE_PART]], moment)
                signature = private_key.sign(batch.tbs(start + offset))
                copy.write(_copy_text(batch, start + offset, key.pk, signature))
                parts.append(_Receipts(batch, start + offset, key.key_id, signature))
    _expect(start, len(items), key.pk)
    return _Joined(parts)


class _Receipts(Sequence[Receipt]):
    """A batch's receipts, each made when asked for (a batch of 10,000 makes none it is not
    asked for: ``append_many``'s callers mostly want a few, or none)."""

    def __init__(self, batch: _Batch, start: int, key_id: str, signature: bytes) -> None:
        self._batch, self._start, self._key_id, self._signature = batch, start, key_id, signature

    def __len__(self) -> int:
        return len(self._batch.leaves)

    def _receipt(self, offset: int) -> Receipt:
        batch, start = self._batch, self._start
        return Receipt(start + offset, batch.leaves[offset], batch.kinds[offset], batch.moment,
                       InclusionPromise(self._key_id, batch.stamp_ms, start + offset, start,
                                        batch.leaves, batch.delay, self._signature))

    @overload
    def __getitem__(self, position: int) -> Receipt: ...

    @overload
    def __getitem__(self, position: slice) -> Sequence[Receipt]: ...

    def __getitem__(self, position: int | slice) -> Receipt | Sequence[Receipt]:
        if isinstance(position, slice):
            return [self._receipt(i) for i in range(len(self))[position]]
        return self._receipt(range(len(self))[position])


class _Joined(Sequence[Receipt]):
    """The receipts of a batch promised in parts, in order."""

    def __init__(self, parts: Sequence[_Receipts]) -> None:
        self._parts = parts
        self._ends = list(accumulate(len(part) for part in parts))

    def __len__(self) -> int:
        return self._ends[-1] if self._ends else 0

    @overload
    def __getitem__(self, position: int) -> Receipt: ...

    @overload
    def __getitem__(self, position: slice) -> Sequence[Receipt]: ...

    def __getitem__(self, position: int | slice) -> Receipt | Sequence[Receipt]:
        if isinstance(position, slice):
            return [self[i] for i in range(len(self))[position]]
        position = range(len(self))[position]
        part = bisect_right(self._ends, position)
        return self._parts[part][position - (self._ends[part - 1] if part else 0)]


def _write(batch: _Batch) -> tuple[int, str, bytes]:
    """Write ``batch`` at the log's end under the state lock; returns its first index, the
    promise's key id and signature. When the caller is in no transaction, the batch is
    committed (and, on PostgreSQL, durable: ``_durable``) before this returns.

    PostgreSQL: one statement for a group (``_write_guessed``) when this process knows the
    log's size, else two round trips (``_write_locked``); COPY for large batches. SQLite (and
    any first append, or a new key): the portable path, ``_write_portable``.
    """
    if connection.vendor == "postgresql":
        written = _write_guessed(batch)
        if written is None and not connection.in_atomic_block:
            written = _write_locked(batch)
        if written is not None:
            return written
    return _write_portable(batch)


def _write_portable(batch: _Batch) -> tuple[int, str, bytes]:
    with transaction.atomic():
        if connection.vendor == "postgresql":
            _durable()
        start, key, private_key = _reserve(len(batch.leaves))
        # One signature for the batch: it binds every index through the batch's root.
        signature = private_key.sign(batch.tbs(start))
        count = len(batch.leaves)
        rows = [
            (start + offset, kind, document, leaf, batch.moment, ref, signature, key.pk,
             batch.delay, start, count)
            for offset, (kind, document, leaf, ref) in enumerate(
                zip(batch.kinds, batch.documents, batch.leaves, batch.refs, strict=True))
        ]
        bulk_insert(LedgerEntry, _ENTRY_COLUMNS, rows)
    _expect(start, count, key.pk)
    return start, key.key_id, signature


_ENTRY_COLUMNS = ["index", "kind", "payload", "leaf_hash", "created_at", "actor_ref",
                  "promise_signature", "promise_key", "promise_merge_delay",
                  "promise_batch_start", "promise_batch_size"]


@dataclass
class _Expected:
    """What this process last saw at the log's end: the next index and the active key's row
    (PostgreSQL's one-statement append checks both and writes only when they hold)."""

    database: str = ""
    key_id: str = ""
    size: int = -1
    key_pk: int = 0
    hit: bool = False


_EXPECTED = _Expected()
_EXPECTED_LOCK = threading.Lock()


def _expect(start: int, count: int, key_pk: int) -> None:
    """Remember where this process's batch left the log (written at ``start``)."""
    database = str(connection.settings_dict["NAME"])
    kid = key_id_of(str(settings.MISTO_LEDGER_KEY))
    with _EXPECTED_LOCK:
        same = (_EXPECTED.database, _EXPECTED.key_id) == (database, kid)
        # Guess next time only if nobody else appended since this process last did: with
        # several processes appending, a guess would mostly miss (and wait for the lock twice).
        _EXPECTED.hit = not same or _EXPECTED.size == start
        _EXPECTED.database, _EXPECTED.key_id, _EXPECTED.key_pk = database, kid, key_pk
        _EXPECTED.size = start + count


def _sql() -> dict[str, str]:
    ops = connection.ops
    entries = ops.quote_name(LedgerEntry._meta.db_table)
    names = ", ".join(ops.quote_name(_column(LedgerEntry, c)) for c in _ENTRY_COLUMNS)
    state = ops.quote_name(LedgerState._meta.db_table)
    keys = ops.quote_name(LedgerKey._meta.db_table)
    rows = ("SELECT %(start)s + u.o - 1, u.k, u.p, u.h, %(at)s, u.a, %(sig)s, %(key)s, "
            "%(delay)s, %(start)s, %(n)s "
            "FROM {source} unnest(%(kinds)s::text[], %(payloads)s::text[], "
            "%(hashes)s::bytea[], %(refs)s::text[]) WITH ORDINALITY AS u(k, p, h, a, o)")
    return {
        # One statement: lock the state row, check the size and key this process expects,
        # take the indices and insert; nothing is written when either has changed.
        "guessed": (
            f"WITH s AS (UPDATE {state} SET size = size + %(n)s "
            f"WHERE id = {STATE_PK} AND size = %(start)s AND EXISTS "
            f"(SELECT 1 FROM {keys} WHERE id = %(key)s AND key_id = %(kid)s AND active) "
            f"AND {_SYNC} RETURNING 1) "
            f"INSERT INTO {entries} ({names}) " + rows.format(source="s,")),
        "reserve": (
            f"BEGIN; SELECT {_SYNC}; UPDATE {state} SET size = size + %(n)s "
            f"WHERE id = {STATE_PK} RETURNING size - %(n)s, "
            f"(SELECT id FROM {keys} WHERE key_id = %(kid)s AND active)"),
        "insert": f"INSERT INTO {entries} ({names}) " + rows.format(source="") + "; COMMIT",
    }


#: A receipt is only handed out once its entry is durable. PostgreSQL commits durably unless
#: ``synchronous_commit`` is off (for the server, database or role): then the ledger's own
#: transactions turn it on for themselves (``SET LOCAL``), and every other transaction keeps
#: whatever the operator chose.
_SYNC = ("(current_setting('synchronous_commit') <> 'off' "
         "OR set_config('synchronous_commit', 'on', true) = 'on')")


def _durable() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {_SYNC}")


@lru_cache(maxsize=4)
def _statements(vendor: str) -> dict[str, str]:
    return _sql()


def _params(batch: _Batch, start: int, key_pk: int, signature: bytes) -> dict[str, Any]:
    return {"start": start, "n": len(batch.leaves), "at": batch.moment, "sig": signature,
            "key": key_pk, "delay": batch.delay, "kinds": batch.kinds,
            "payloads": batch.documents, "hashes": list(batch.leaves), "refs": batch.refs}


def _write_guessed(batch: _Batch) -> tuple[int, str, bytes] | None:
    """One round trip: sign at the index this process expects the log to be at, and write
    in one statement that checks it; None when the log moved on (nothing written)."""
    kid = key_id_of(str(settings.MISTO_LEDGER_KEY))
    with _EXPECTED_LOCK:
        expected = _EXPECTED if (_EXPECTED.hit and _EXPECTED.key_id == kid and
                                 _EXPECTED.database == connection.settings_dict["NAME"]) \
            else None
        start, key_pk = (expected.size, expected.key_pk) if expected else (-1, 0)
    if expected is None:
        return None
    signature = signing_key().sign(batch.tbs(start))
    params = _params(batch, start, key_pk, signature) | {"kid": kid}
    with connection.cursor() as cursor:
        cursor.execute(_statements("postgresql")["guessed"], params)
        written = cursor.rowcount == len(batch.leaves)
    with _EXPECTED_LOCK:
        if written:
            _EXPECTED.size = start + len(batch.leaves)
        elif _EXPECTED.size == start:
            _EXPECTED.hit = False
    return (start, kid, signature) if written else None


def _write_locked(batch: _Batch) -> tuple[int, str, bytes] | None:
    """Two round trips outside a transaction: ``BEGIN`` and the lock (with the indices), then
    the insert and ``COMMIT``; None for a log's first append or a new key (the portable
    path creates their rows)."""
    kid = key_id_of(str(settings.MISTO_LEDGER_KEY))
    statements = _statements("postgresql")
    try:
        with connection.cursor() as cursor:
            cursor.execute(statements["reserve"], {"n": len(batch.leaves), "kid": kid})
            while cursor.nextset():
                pass  # the results of BEGIN and SELECT come first: the UPDATE's is last
            found = cursor.fetchone()
            if found is None or found[1] is None:
                cursor.execute("ROLLBACK")
                return None
            start, key_pk = int(found[0]), int(found[1])
            signature = signing_key().sign(batch.tbs(start))
            cursor.execute(statements["insert"], _params(batch, start, key_pk, signature))
    except BaseException:
        with suppress(Exception), connection.cursor() as cursor:
            cursor.execute("ROLLBACK")  # when no transaction is open, only a warning
        raise
    _expect(start, len(batch.leaves), key_pk)
    return start, kid, signature


def _copy_text(batch: _Batch, start: int, key_pk: int, signature: bytes) -> str:
    """The batch's rows in COPY's text format, formatted in one pass (a backslash doubled,
    bytea as ``\\x`` and hex; canonical JSON holds no raw tab, newline or carriage return)."""
    count = len(batch.leaves)
    tail = f"\t\\\\x{signature.hex()}\t{key_pk}\t{batch.delay}\t{start}\t{count}\n"
    at = batch.moment.isoformat()
    return "".join([
        f"{start + offset}\t{kind}\t{document.replace(chr(92), chr(92) * 2)}\t"
        f"\\\\x{leaf.hex()}\t{at}\t{ref if ref else chr(92) + 'N'}{tail}"
        for offset, (kind, document, leaf, ref) in enumerate(
            zip(batch.kinds, batch.documents, batch.leaves, batch.refs, strict=True))
    ])


def _reserve(count: int) -> tuple[int, LedgerKey, Any]:
    """Lock the state row, take ``count`` indices and find the active key's row: one round
    trip (``UPDATE .. RETURNING``) when both exist, as on every append but a log's first."""
    private_key = signing_key()
    kid = key_id_of(str(settings.MISTO_LEDGER_KEY))
    state, keys = LedgerState._meta.db_table, LedgerKey._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {state} SET size = size + %s WHERE id = %s RETURNING size - %s, "
            f"(SELECT id FROM {keys} WHERE key_id = %s AND active)",
            [count, STATE_PK, count, kid])
        found = cursor.fetchone()
    if found is None:  # the log's first append: create the row, under its lock
        start = locked_state().size
        LedgerState.objects.filter(pk=STATE_PK).update(size=start + count)
        found = (start, None)
    start, key_pk = found
    if key_pk is not None:
        key = LedgerKey(pk=key_pk, key_id=kid, active=True)
    else:
        key, private_key = current_key()
    return int(start), key, private_key


@dataclass
class _Ticket:
    item: _Checked
    wake: threading.Event = field(default_factory=threading.Event)
    receipt: Receipt | None = None
    error: BaseException | None = None
    finished: bool = False


class _Sequencer:
    """Group commit for entries appended outside a transaction (as Tessera sequences).

    Callers queue their entry; the first caller finding no committer becomes it, waits a
    moment for as many callers as the last group had (at most the last commit's duration,
    ``GROUP_WAIT`` at most: callers whose receipt just came back are about to queue again),
    takes everything queued, appends it as one batch (one transaction, one commit, one promise
    signature) on its own connection and, once it is committed, hands each caller its
    receipt. Whoever queued meanwhile waits; when the batch is in, the first of them commits
    the next batch. Indices stay gapless: the batch takes them under the state lock like any
    append.
    """

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._queue: list[_Ticket] = []
        self._committing = False
        self._last_size = 1
        self._last_seconds = 0.0

    def submit(self, item: _Checked) -> Receipt:
        ticket = _Ticket(item)
        with self._lock:
            self._queue.append(ticket)
            lead = not self._committing
            self._committing = True
            if len(self._queue) >= self._last_size:
                self._lock.notify()
        if not lead:
            ticket.wake.wait()
        if not ticket.finished:
            self._commit()
        if ticket.error is not None:
            raise ticket.error
        assert ticket.receipt is not None
        return ticket.receipt

    def _commit(self) -> None:
        with self._lock:
            wait = min(self._last_seconds, GROUP_WAIT)
            if len(self._queue) < self._last_size and wait > 0:
                self._lock.wait_for(lambda: len(self._queue) >= self._last_size, wait)
            batch, self._queue = self._queue[:SEQUENCER_BATCH], self._queue[SEQUENCER_BATCH:]
        began = time.perf_counter()
        try:
            receipts = _append_checked([ticket.item for ticket in batch])
            for ticket, receipt in zip(batch, receipts, strict=True):
                ticket.receipt = receipt
        except BaseException as error:
            for ticket in batch:
                ticket.error = error
        for ticket in batch:
            ticket.finished = True
        with self._lock:
            self._last_size, self._last_seconds = len(batch), time.perf_counter() - began
            if self._queue:
                self._queue[0].wake.set()  # the next committer
            else:
                self._committing = False
        for ticket in batch:
            ticket.wake.set()


#: Fewest entries ``append_many`` streams through COPY on PostgreSQL, promised in parts of
#: ``PROMISE_PART`` (one signature each).
STREAM_FROM = 1024
PROMISE_PART = 2048
#: Most entries one group commit takes (the rest wait for the next).
SEQUENCER_BATCH = 1000
#: Longest a committer waits for as many callers as its last group had (seconds).
GROUP_WAIT = 0.002
_SEQUENCER = _Sequencer()


def locked_state() -> LedgerState:
    """The state row, locked until the end of the current transaction (created if missing).

    Public within the ledger because every change to the log's shape serialises on it:
    appending, integrating, issuing a head and replacing the log (``succession``)."""
    state = LedgerState.objects.select_for_update().filter(pk=STATE_PK).first()
    if state is None:
        LedgerState.objects.get_or_create(pk=STATE_PK)
        state = LedgerState.objects.select_for_update().get(pk=STATE_PK)
    return state


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column
    return field.column


#: Fewest rows ``bulk_insert`` COPYs on PostgreSQL: below, one INSERT saves COPY's round trips.
COPY_FROM = 64


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
        if connection.vendor == "postgresql" and len(rows) >= COPY_FROM:
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

