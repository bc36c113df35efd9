"""The live map's answer kept per process and brought up to date by the change log.

Rendering 10,000 incidents again after every change means reading megabytes of stored
Features from the database, joining and compressing them: hundreds of milliseconds, for a
change that touched one incident. Instead each server process keeps, per filter, the
Features it answered last (UTF-8, newest first) and the change it had seen; a request
reads the changes after that one (one index range scan), re-reads only the incidents they
name, and re-compresses only the pieces of the answer that hold them.

The gzip answer is a chain of raw deflate segments, each ending with a full flush, so
each can be compressed alone and reused while its incidents stay the same: the prefix, one
segment per run of features (a run ends after an incident whose id hashes to a boundary,
so an incident that comes or goes changes its own run only), and the closing bytes; the
trailer's CRC-32 is computed over the plain body. Anything the change log cannot describe
(a filter that hits its limit, a cache generation bumped by :func:`forget`, a change log
that does not go on from the change seen, a state older than ``MAX_AGE``) rebuilds the
whole state from the database, as before.
"""

from __future__ import annotations

import itertools
import struct
import threading
import time
import zlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from misto.situation.models import Change, Incident

PREFIX = b'{"type":"FeatureCollection","features":['
SUFFIX = b"]}"
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # no name, no time
RUN_BOUNDARY = 64  # about one incident in 64 ends a run: runs of ~30 KB of GeoJSON
MAX_DELTA = 2000  # more changes than this since the last answer: rebuild
OVERLAP = 100  # changes before the one seen that are read again (late commits)
MAX_AGE = 600.0  # seconds a state serves before it is rebuilt whatever the log says
STATES = 16  # filters kept per process
GENERATION_KEY = "situation:map:generation"

_versions = itertools.count(1)


def _deflate(data: bytes, final: bool = False) -> bytes:
    """``data`` as a raw deflate segment that needs nothing before it (level 1)."""
    packer = zlib.compressobj(1, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush(zlib.Z_FINISH if final else zlib.Z_FULL_FLUSH)


_PREFIX_SEGMENT = _deflate(PREFIX)
_SUFFIX_SEGMENT = _deflate(SUFFIX, final=True)


@dataclass
class _Run:
    raw: bytes  # the run's features joined by commas
    packed: bytes  # "," + raw, deflated: a run after another
    packed_first: bytes | None = None  # raw deflated: the first run


@dataclass
class _State:
    change: tuple[int, datetime] | None
    generation: Any
    built_at: float
    keys: dict[int, tuple[datetime, int]] = field(default_factory=dict)
    texts: dict[int, bytes] = field(default_factory=dict)
    versions: dict[int, int] = field(default_factory=dict)
    order: list[int] = field(default_factory=list)
    runs: dict[tuple[tuple[int, int], ...], _Run] = field(default_factory=dict)
    chain: list[_Run] = field(default_factory=list)
    body: bytes = b""
    packed: bytes = b""


_states: OrderedDict[Any, _State] = OrderedDict()
_lock = threading.Lock()


def forget() -> None:
    """Every process rebuilds its map states at its next request (stored Features were
    dropped, or rows changed without a change-log entry)."""
    cache.set(GENERATION_KEY, time.time_ns(), None)


def reset() -> None:
    """Drop this process's states (tests)."""
    with _lock:
        _states.clear()


def answer(key: Any, rows: Callable[[], QuerySet[Incident]], feature_sql: str,
           limit: int, *, packed: bool) -> bytes | None:
    """The map's body (plain UTF-8, or gzip when ``packed``) for the filter named by ``key``;
    None when more than ``limit`` incidents match (the caller renders that answer itself,
    outside this process's lock).

    ``rows()`` is the filtered queryset, ``feature_sql`` the SQL writing one Feature.
    """
    with _lock:
        state = _current(key, rows, feature_sql, limit)
        if state is None:
            return None
        _states[key] = state
        _states.move_to_end(key)
        while len(_states) > STATES:
            _states.popitem(last=False)
        if packed:
            return state.packed
        if not state.body:
            state.body = PREFIX + b",".join(run.raw for run in state.chain) + SUFFIX
        return state.body


def _current(key: Any, rows: Callable[[], QuerySet[Incident]], feature_sql: str,
             limit: int) -> _State | None:
    generation = cache.get(GENERATION_KEY)
    state = _states.get(key)
    if (state is None or state.change is None or state.generation != generation
            or time.monotonic() - state.built_at > MAX_AGE):
        return _build(rows, feature_sql, limit, generation)
    seen, seen_at = state.change
    log = list(Change.objects.filter(pk__gt=seen - OVERLAP).order_by("pk")
               .values_list("pk", "at", "topic", "ref")[:MAX_DELTA + OVERLAP + 1])
    mine = [row for row in log if row[0] == seen]
    if not mine or mine[0][1] != seen_at or len(log) > MAX_DELTA + OVERLAP:
        return _build(rows, feature_sql, limit, generation)  # the log does not go on
    newest = log[-1]
    if newest[0] == seen:
        return state  # nothing happened since
    changed = {int(ref) for _pk, _at, topic, ref in log
               if topic == Change.Topic.INCIDENT and ref.isdigit()}
    state.change = (newest[0], newest[1])
    if changed:
        found = {pk: (opened, text) for pk, opened, text in _features(
            rows().filter(pk__in=changed), feature_sql)}
        if len(state.keys) - len(changed) + len(found) > limit:
            return _build(rows, feature_sql, limit, generation)
        reorder = False
        for pk in changed:
            if pk in found:
                opened, text = found[pk]
                if state.texts.get(pk) != text:
                    state.texts[pk] = text
                    state.versions[pk] = next(_versions)
                if state.keys.get(pk) != (opened, pk):
                    state.keys[pk] = (opened, pk)
                    reorder = True
            elif pk in state.keys:
                del state.keys[pk], state.texts[pk], state.versions[pk]
                reorder = True
        if reorder:
            state.order = sorted(state.keys, key=state.keys.__getitem__, reverse=True)
        _render(state)
    return state


def _features(rows: QuerySet[Incident], feature_sql: str, limit: int | None = None
              ) -> list[tuple[int, datetime, bytes]]:
    """(id, opened at, Feature as UTF-8) of the rows, in no order."""
    values = rows.order_by().annotate(feature=RawSQL(feature_sql, ())).values_list(
        "id", "opened_at", "feature")
    if limit is not None:
        values = values[:limit]
    return [(pk, opened, text.encode()) for pk, opened, text in values]


def _build(rows: Callable[[], QuerySet[Incident]], feature_sql: str, limit: int,
           generation: Any) -> _State | None:
    newest = Change.objects.order_by("-pk").values_list("pk", "at").first()
    found = _features(rows(), feature_sql, limit + 1)
    if len(found) > limit:
        return None
    state = _State(change=newest, generation=generation, built_at=time.monotonic())
    for pk, opened, text in found:
        state.keys[pk] = (opened, pk)
        state.texts[pk] = text
        state.versions[pk] = next(_versions)
    state.order = sorted(state.keys, key=state.keys.__getitem__, reverse=True)
    _render(state)
    return state


def _render(state: _State) -> None:
    """The plain body and the gzip answer from the state's order, reusing unchanged runs."""
    texts, versions = state.texts, state.versions
    runs: dict[tuple[tuple[int, int], ...], _Run] = {}
    chain: list[_Run] = []
    current: list[int] = []

    def close() -> None:
        run_key = tuple((pk, versions[pk]) for pk in current)
        run = state.runs.get(run_key) or runs.get(run_key)
        if run is None:
            raw = b",".join(texts[pk] for pk in current)
            run = _Run(raw, _deflate(b"," + raw))
        runs[run_key] = run
        chain.append(run)
        current.clear()

    for pk in state.order:
        current.append(pk)
        if (pk * 2654435761) % 2**32 % RUN_BOUNDARY == 0:
            close()
    if current:
        close()
    state.runs = runs
    state.chain = chain
    state.body = b""  # joined when a client asks for the plain form
    # The trailer's CRC-32 and length run over the plain body, a run at a time.
    crc, size = zlib.crc32(PREFIX), len(PREFIX)
    parts = [GZIP_HEADER, _PREFIX_SEGMENT]
    for index, run in enumerate(chain):
        if index == 0:
            if run.packed_first is None:
                run.packed_first = _deflate(run.raw)
            parts.append(run.packed_first)
        else:
            parts.append(run.packed)
            crc, size = zlib.crc32(b",", crc), size + 1
        crc, size = zlib.crc32(run.raw, crc), size + len(run.raw)
    crc, size = zlib.crc32(SUFFIX, crc), size + len(SUFFIX)
    parts += [_SUFFIX_SEGMENT, struct.pack("<II", crc, size & 0xFFFFFFFF)]
    state.packed = b"".join(parts)
