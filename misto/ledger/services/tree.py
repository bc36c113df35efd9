"""The Merkle tree over the entries: integrating them, roots and RFC 9162 proofs.

Why a file of its own: the tree is stored apart from the entries. :class:`LedgerNode` rows are
written once per completed perfect subtree and never updated (``integrate_pending``); the
ragged right edge of any tree is folded on demand, so every proof and every historic root
reads O(log n) nodes in one query. Proofs only address integrated sizes.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, transaction

from misto.ledger import merkle
from misto.ledger.errors import LedgerCode, LedgerError
from misto.ledger.models import LedgerEntry, LedgerNode, LedgerState, node_key
from misto.ledger.services.appending import STATE_PK, bulk_insert, locked_state

INTEGRATE_BATCH = 50_000


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
            state = locked_state()
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
    if connection.vendor == "postgresql":
        # COPY's text format written in one pass: psycopg's per-row formatting took most of
        # an integration's time (issue #24).
        table = connection.ops.quote_name(LedgerNode._meta.db_table)
        text = "".join([f"{key}\t{level}\t{index}\t\\\\x{digest.hex()}\n"
                        for key, level, index, digest in nodes])
        with connection.cursor() as cursor, \
                cursor.copy(f'COPY {table} ("key", "level", "index", "hash") FROM STDIN') as copy:
            copy.write(text)
    else:
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

