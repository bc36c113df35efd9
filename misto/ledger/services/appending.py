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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from misto.core.config import env_int
from misto.ledger import merkle, sth
from misto.ledger.canonical import canonical_json
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
    receipt in the cabinet. Inside a transaction, runs in it (a rollback removes the entry
    and leaves no gap) and holds the ledger lock until that transaction ends. Outside one,
    the entry is its own transaction, and concurrent callers of this process share one
    (group commit, :class:`_Sequencer`). Raises ``LedgerError`` (a ``ValueError``) for input
    that cannot be ledgered, before writing.
    """
    if connection.in_atomic_block or not connection.get_autocommit():
        return append_many([(kind, payload, actor)])[0]
    entry_document(kind, payload, "1970-01-01T00:00:00.000Z")  # bad input fails its caller only
    return _SEQUENCER.submit((kind, payload, actor))


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
    stamp_ms, delay = epoch_ms(moment), max_merge_delay()
    leaves = tuple(leaf for _kind, _document, leaf, _ref in prepared)
    batch_root = merkle.root_from_leaf_hashes(leaves)
    with transaction.atomic():
        start, key, private_key = _reserve(len(leaves))
        # One signature for the batch: it binds every index through the batch's root.
        signature = private_key.sign(
            sth.promise_tbs(stamp_ms, start, len(leaves), delay, batch_root))
        rows = [
            (start + offset, kind, document, leaf, moment, ref, signature, key.pk, delay, start,
             len(leaves))
            for offset, (kind, document, leaf, ref) in enumerate(prepared)
        ]
        bulk_insert(LedgerEntry,
                    ["index", "kind", "payload", "leaf_hash", "created_at", "actor_ref",
                     "promise_signature", "promise_key", "promise_merge_delay",
                     "promise_batch_start", "promise_batch_size"], rows)
    return [Receipt(row[0], row[3], row[1], moment,
                    InclusionPromise(key.key_id, stamp_ms, row[0], start, leaves, delay,
                                     signature))
            for row in rows]


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
    item: tuple[str, Mapping[str, Any], str | None]
    wake: threading.Event = field(default_factory=threading.Event)
    receipt: Receipt | None = None
    error: BaseException | None = None
    finished: bool = False


class _Sequencer:
    """Group commit for entries appended outside a transaction (as Tessera sequences).

    Callers queue their entry; the first caller finding no committer becomes it, takes
    everything queued, appends it as one batch (one transaction, one commit, one promise
    signature) on its own connection and hands each caller its receipt. Whoever queued
    meanwhile waits; when the batch is in, the first of them commits the next batch. Indices
    stay gapless: the batch takes them under the state lock like any append.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: list[_Ticket] = []
        self._committing = False

    def submit(self, item: tuple[str, Mapping[str, Any], str | None]) -> Receipt:
        ticket = _Ticket(item)
        with self._lock:
            self._queue.append(ticket)
            lead = not self._committing
            self._committing = True
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
            batch, self._queue = self._queue[:SEQUENCER_BATCH], self._queue[SEQUENCER_BATCH:]
        try:
            receipts = append_many([ticket.item for ticket in batch])
            for ticket, receipt in zip(batch, receipts, strict=True):
                ticket.receipt = receipt
        except BaseException as error:
            for ticket in batch:
                ticket.error = error
        for ticket in batch:
            ticket.finished = True
        with self._lock:
            if self._queue:
                self._queue[0].wake.set()  # the next committer
            else:
                self._committing = False
        for ticket in batch:
            ticket.wake.set()


#: Most entries one group commit takes (the rest wait for the next).
SEQUENCER_BATCH = 1000
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

