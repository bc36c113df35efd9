"""Merkle Hash Trees as specified by RFC 9162 section 2.1 (identical to RFC 6962 section 2.1).

This module is deliberately pure Python with no Django import: the ledger's tamper evidence
rests on it, so it must be testable against the published Certificate Transparency vectors in
isolation, and auditors must be able to copy it into an offline verifier unchanged.

Two layers are provided.

1. The RFC functions over raw entries (``leaf_hash``, ``node_hash``, ``root_hash``,
   ``inclusion_proof``, ``verify_inclusion``, ``consistency_proof``, ``verify_consistency``).
   Verifiers never raise on hostile input; they answer ``False``, because their input arrives
   from the network and "not proven" is the only safe answer to nonsense.

2. Storage-oriented helpers that let a database produce the same proofs for a log of millions
   of entries while reading only O(log n) stored hashes.  They rest on one addressing scheme:

   *Perfect-subtree addressing.*  Node ``(level, index)`` is the root of the perfect
   (complete) subtree covering leaves ``[index * 2**level, (index + 1) * 2**level)``.  Level 0
   nodes are leaf hashes.  Because a perfect subtree never changes once its last leaf has been
   appended, a store can write each node exactly once and never update it; only the right edge
   of the tree (which is never a perfect subtree) is recomputed, and it is computed on demand
   from at most ``log2(n)`` stored nodes.

   Every hash that appears in an RFC proof is the Merkle Tree Hash (MTH) of some leaf range
   ``[start, end)`` that is itself a subtree of the RFC tree.  The RFC splits a list of ``n``
   leaves at ``k``, the largest power of two smaller than ``n``, so the left part is always a
   perfect subtree and the right part recurses.  Unrolled, ``MTH(D[0:m])`` is the *right fold*
   of the perfect subtrees given by the binary representation of ``m``, largest first:
   ``h1 ⊕ (h2 ⊕ (... ⊕ hj))`` where ``a ⊕ b = node_hash(a, b)``.  An RFC subtree range starts
   at a multiple of the smallest power of two not below its length, so its decomposition into
   maximal aligned perfect subtrees (``range_decomposition``) is that same shape shifted, and
   ``fold_right`` over the stored node hashes yields its MTH (``range_hash``).

   ``inclusion_proof_ranges`` and ``consistency_proof_ranges`` give, in proof order, the leaf
   ranges whose MTHs form the RFC proof; ``proof_from_ranges`` turns them into hashes through
   any ``NodeGetter``.  The in-memory ``inclusion_proof`` / ``consistency_proof`` are built on
   exactly this path (with an in-memory ``NodeGetter``), so the RFC test vectors exercise the
   code a database-backed implementation relies on.

   At most one range of a proof touches the ragged right edge of the tree (every other range
   is a perfect subtree and costs one node), so a proof reads at most about ``2 * log2(n)``
   nodes: 40 for a million entries.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "NodeGetter",
    "consistency_proof",
    "consistency_proof_ranges",
    "fold_right",
    "inclusion_proof",
    "inclusion_proof_ranges",
    "leaf_hash",
    "node_hash",
    "proof_from_ranges",
    "proof_nodes",
    "range_decomposition",
    "range_hash",
    "root_from_leaf_hashes",
    "root_from_nodes",
    "root_hash",
    "verify_consistency",
    "verify_inclusion",
    "verify_inclusion_by_leaf_hash",
]

#: Size in bytes of every hash in the tree (SHA-256).  Proof elements of any other length are
#: rejected outright by the verifiers.
HASH_SIZE = 32

#: MTH of the empty list: SHA-256 of the empty string (RFC 9162 2.1.1).
EMPTY_ROOT = hashlib.sha256(b"").digest()

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"

#: Accessor ``get_node(level, index) -> hash`` returning the hash of the perfect subtree that
#: covers leaves ``[index * 2**level, (index + 1) * 2**level)``.  Level 0 is the leaf hash.
NodeGetter = Callable[[int, int], bytes]


# ---------------------------------------------------------------------------------------------
# Hashing primitives (RFC 9162 2.1.1)
# ---------------------------------------------------------------------------------------------


def leaf_hash(entry: bytes) -> bytes:
    """Return ``SHA-256(0x00 || entry)``.

    The 0x00 / 0x01 domain separation between leaves and interior nodes prevents
    second-preimage attacks where an interior node is passed off as a leaf.
    """
    return hashlib.sha256(_LEAF_PREFIX + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return ``SHA-256(0x01 || left || right)``, the hash of an interior node."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def _split_point(n: int) -> int:
    """Return ``k``, the largest power of two strictly smaller than ``n`` (requires ``n > 1``).

    This is where the RFC splits every list of more than one element.
    """
    return 1 << ((n - 1).bit_length() - 1)


def fold_right(hashes: Sequence[bytes]) -> bytes:
    """Fold ``hashes`` from the right with ``node_hash``: ``h1 ⊕ (h2 ⊕ (... ⊕ hj))``.

    Applied to the left-to-right perfect-subtree hashes of an RFC subtree range (see
    ``range_decomposition``), this is that range's MTH.  A single hash folds to itself.  An
    empty sequence has no meaningful fold (the empty tree's root is ``EMPTY_ROOT``, which is not
    a fold of anything), so it raises ``ValueError``.
    """
    if not hashes:
        raise ValueError("fold_right needs at least one hash")
    acc = hashes[-1]
    for h in reversed(hashes[:-1]):
        acc = node_hash(h, acc)
    return acc


def root_from_leaf_hashes(leaf_hashes: Iterable[bytes]) -> bytes:
    """Return the MTH of a list given its *leaf hashes* (``leaf_hash`` of each entry).

    Works as a single streaming pass holding only ``O(log n)`` hashes: a stack of perfect
    subtrees (a "compact range") is merged whenever two of equal size meet, and the remaining
    stack, which is exactly ``range_decomposition(0, n)``, is right-folded at the end.  This
    equals the RFC's recursive definition (see the module docstring) without its O(n log n)
    slicing, so rebuilding the root of a million-entry log from stored leaf hashes is cheap.
    """
    stack: list[tuple[int, bytes]] = []  # (level, hash), levels strictly decreasing
    for lh in leaf_hashes:
        level, h = 0, bytes(lh)
        while stack and stack[-1][0] == level:
            _, left = stack.pop()
            h = node_hash(left, h)
            level += 1
        stack.append((level, h))
    if not stack:
        return EMPTY_ROOT
    return fold_right([h for _, h in stack])


def root_hash(entries: Sequence[bytes]) -> bytes:
    """Return ``MTH(D[n])`` for raw entries (RFC 9162 2.1.1); ``EMPTY_ROOT`` for no entries."""
    return root_from_leaf_hashes(leaf_hash(e) for e in entries)


# ---------------------------------------------------------------------------------------------
# Perfect-subtree addressing and proof ranges
# ---------------------------------------------------------------------------------------------


def _check_range(start: int, end: int) -> None:
    if start < 0 or end < start:
        raise ValueError(f"invalid leaf range [{start}, {end})")


def range_decomposition(start: int, end: int) -> list[tuple[int, int]]:
    """Split leaf range ``[start, end)`` into maximal aligned perfect subtrees.

    Returns ``(level, index)`` node addresses in left-to-right order; node ``(level, index)``
    covers ``[index * 2**level, (index + 1) * 2**level)``.  Greedily takes, at each position,
    the largest subtree that is both aligned there and fits before ``end``, which is the unique
    minimal cover by stored (immutable) nodes.  For ``[0, n)`` the levels are the set bits of
    ``n``, highest first.  An empty range yields ``[]``.
    """
    _check_range(start, end)
    nodes: list[tuple[int, int]] = []
    pos = start
    while pos < end:
        size_level = (end - pos).bit_length() - 1  # largest 2**l that fits
        if pos:
            align_level = (pos & -pos).bit_length() - 1  # trailing zero bits of pos
            level = min(size_level, align_level)
        else:
            level = size_level
        nodes.append((level, pos >> level))
        pos += 1 << level
    return nodes


def range_hash(get_node: NodeGetter, start: int, end: int) -> bytes:
    """Return ``MTH(D[start:end])`` from stored perfect-subtree hashes.

    Only ranges shaped like an RFC subtree can be computed this way: ``start`` must be a
    multiple of the largest power of two not exceeding ``end - start`` (every range produced by
    ``inclusion_proof_ranges`` / ``consistency_proof_ranges``, and every ``[0, n)``, is).  Other
    ranges raise ``ValueError`` rather than silently returning a hash of a different tree shape.
    ``[0, 0)`` gives ``EMPTY_ROOT``; other empty ranges raise.
    """
    _check_range(start, end)
    if start == end:
        if start == 0:
            return EMPTY_ROOT
        raise ValueError(f"empty leaf range [{start}, {end}) has no hash")
    top = 1 << ((end - start).bit_length() - 1)
    if start % top:
        raise ValueError(f"leaf range [{start}, {end}) is not an RFC 9162 subtree")
    return fold_right([get_node(level, index) for level, index in range_decomposition(start, end)])


def root_from_nodes(get_node: NodeGetter, size: int) -> bytes:
    """Return the root of the first ``size`` leaves from stored perfect-subtree hashes.

    Reads ``popcount(size)`` nodes, so a database can answer "root at size n" for any historic
    size without rehashing leaves.
    """
    return range_hash(get_node, 0, size)


def inclusion_proof_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """Return the leaf ranges whose MTHs form ``PATH(index, D[size])`` (RFC 9162 2.1.3.1).

    In proof order, i.e. from the leaf's sibling up to the child of the root.  The RFC
    recursion is unrolled top-down (each step keeps the half containing ``index`` and records
    the other half) and then reversed, because the RFC appends the sibling after the sub-path.
    Raises ``ValueError`` unless ``0 <= index < size``.
    """
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} out of range for tree size {size}")
    ranges: list[tuple[int, int]] = []
    lo, hi = 0, size
    while hi - lo > 1:
        mid = lo + _split_point(hi - lo)
        if index < mid:
            ranges.append((mid, hi))
            hi = mid
        else:
            ranges.append((lo, mid))
            lo = mid
    ranges.reverse()
    return ranges


def consistency_proof_ranges(old_size: int, new_size: int) -> list[tuple[int, int]]:
    """Return the leaf ranges whose MTHs form ``PROOF(old_size, D[new_size])`` (RFC 9162 2.1.4.1).

    Unrolls ``SUBPROOF(m, D[n], b)`` top-down: while ``m`` is smaller than the current subtree
    ``n`` with split ``k``, either ``m <= k`` (recurse left, record the right part) or
    ``m > k`` (recurse right with ``b = false``, record the left part).  When ``m`` reaches the
    whole subtree, that subtree's own hash is recorded only if ``b`` is false, i.e. only if the
    verifier cannot already derive it from the old root.  The list is reversed into proof order.

    ``old_size == new_size`` and ``old_size == 0`` give ``[]``: the RFC defines no proof for an
    empty old tree, and every tree trivially extends the empty one.  Raises ``ValueError``
    unless ``0 <= old_size <= new_size``.
    """
    if not 0 <= old_size <= new_size:
        raise ValueError(f"invalid consistency sizes {old_size} -> {new_size}")
    if old_size in (0, new_size):
        return []
    ranges: list[tuple[int, int]] = []
    lo, hi, m, complete = 0, new_size, old_size, True
    while m < hi - lo:
        k = _split_point(hi - lo)
        if m <= k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo += k
            m -= k
            complete = False
    if not complete:
        ranges.append((lo, hi))
    ranges.reverse()
    return ranges


def proof_nodes(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Return the distinct ``(level, index)`` nodes needed to hash ``ranges``, in first-use order.

    Lets a database fetch everything a proof needs in one query before calling
    ``proof_from_ranges`` with a dictionary-backed ``NodeGetter``.
    """
    seen: dict[tuple[int, int], None] = {}
    for start, end in ranges:
        for node in range_decomposition(start, end):
            seen.setdefault(node, None)
    return list(seen)


def proof_from_ranges(get_node: NodeGetter, ranges: Iterable[tuple[int, int]]) -> list[bytes]:
    """Turn proof ranges into proof hashes by right-folding stored perfect-subtree hashes."""
    return [range_hash(get_node, start, end) for start, end in ranges]


def _memory_node_getter(leaf_hashes: Sequence[bytes]) -> NodeGetter:
    """Build a memoising in-memory ``NodeGetter`` over ``leaf_hashes``.

    Stands in for the database so that the in-memory proof functions go through exactly the
    same range / decomposition / fold path as storage-backed ones.  Each node is hashed at most
    once; asking for a subtree that is not yet complete raises ``ValueError``, mirroring a store
    that only holds finished perfect subtrees.
    """
    cache: dict[tuple[int, int], bytes] = {}
    n = len(leaf_hashes)

    def get_node(level: int, index: int) -> bytes:
        if level < 0 or index < 0 or (index + 1) << level > n:
            raise ValueError(f"node ({level}, {index}) is not a complete subtree of size {n}")
        if level == 0:
            return bytes(leaf_hashes[index])
        key = (level, index)
        found = cache.get(key)
        if found is None:
            found = node_hash(get_node(level - 1, 2 * index), get_node(level - 1, 2 * index + 1))
            cache[key] = found
        return found

    return get_node


# ---------------------------------------------------------------------------------------------
# Proof generation over raw entries
# ---------------------------------------------------------------------------------------------


def inclusion_proof(index: int, entries: Sequence[bytes]) -> list[bytes]:
    """Return the audit path ``PATH(index, D[n])`` for ``entries[index]`` (RFC 9162 2.1.3.1).

    Raises ``ValueError`` unless ``0 <= index < len(entries)``.
    """
    ranges = inclusion_proof_ranges(index, len(entries))
    getter = _memory_node_getter([leaf_hash(e) for e in entries])
    return proof_from_ranges(getter, ranges)


def consistency_proof(old_size: int, entries: Sequence[bytes]) -> list[bytes]:
    """Return ``PROOF(old_size, D[n])`` proving ``entries[:old_size]`` is a prefix of ``entries``.

    RFC 9162 2.1.4.1.  ``[]`` when ``old_size`` is 0 or ``len(entries)``.  Raises ``ValueError``
    unless ``0 <= old_size <= len(entries)``.
    """
    ranges = consistency_proof_ranges(old_size, len(entries))
    getter = _memory_node_getter([leaf_hash(e) for e in entries])
    return proof_from_ranges(getter, ranges)


# ---------------------------------------------------------------------------------------------
# Verification (never raises)
# ---------------------------------------------------------------------------------------------


def _is_count(value: object) -> bool:
    """True for a non-negative ``int`` (``bool`` excluded: ``True`` is not a tree size)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_hash(value: object) -> bool:
    return isinstance(value, bytes | bytearray) and len(value) == HASH_SIZE


def _is_proof(proof: object) -> bool:
    return isinstance(proof, list | tuple) and all(_is_hash(p) for p in proof)


def verify_inclusion_by_leaf_hash(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """Check an inclusion proof for a *leaf hash* (RFC 9162 2.1.3.2).

    For verifiers that hold only the leaf hash, not the entry.  Follows the RFC algorithm
    literally: ``fn`` / ``sn`` track the node's index and the last index at each level; a set
    low bit of ``fn`` (or ``fn == sn``, a right-edge node with no right sibling) means the proof
    element is a left sibling.  A proof of the wrong length leaves ``sn != 0`` or runs past
    ``sn == 0`` and fails.  Returns ``False`` on any malformed input instead of raising.
    """
    if not (_is_count(index) and _is_count(size) and index < size):
        return False
    if not (_is_hash(leaf) and _is_hash(root) and _is_proof(proof)):
        return False
    fn, sn = index, size - 1
    r = bytes(leaf)
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn and not fn & 1:  # fn == sn on the right edge: climb to the next left turn
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == bytes(root)


def verify_inclusion(
    entry: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """Check that ``entry`` is leaf ``index`` of the tree of ``size`` with ``root``.

    RFC 9162 2.1.3.2 applied to ``leaf_hash(entry)``.  Returns ``False``, never raises, on bad
    input (non-bytes entry, ``index >= size``, negative numbers, wrong proof length, malformed
    hashes).
    """
    if not isinstance(entry, bytes | bytearray):
        return False
    return verify_inclusion_by_leaf_hash(leaf_hash(entry), index, size, proof, root)


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Check that the tree ``(new_size, new_root)`` extends ``(old_size, old_root)``.

    RFC 9162 2.1.4.2, with the cases the RFC leaves to the caller made explicit:

    * ``old_size == new_size``: the proof must be empty and the roots equal.
    * ``old_size == 0 < new_size``: the RFC defines no proof for an empty old tree; any tree
      extends the empty one, so this holds exactly when the proof is empty (``old_root`` is not
      consulted, an empty tree commits to nothing).
    * ``old_size > new_size``, negative sizes, malformed hashes: ``False``.

    Otherwise the RFC algorithm runs: when ``old_size`` is a power of two the old root is itself
    a node of the new tree and is prepended to the path; ``fr`` rebuilds the old root from the
    nodes left of the boundary while ``sr`` rebuilds the new root from all of them.  Never raises.
    """
    if not (_is_count(old_size) and _is_count(new_size) and old_size <= new_size):
        return False
    if not _is_proof(proof):
        return False
    if old_size == new_size:
        return len(proof) == 0 and isinstance(old_root, bytes | bytearray) and old_root == new_root
    if old_size == 0:
        return len(proof) == 0
    if not (_is_hash(old_root) and _is_hash(new_root)) or len(proof) == 0:
        return False

    path = [bytes(p) for p in proof]
    if old_size & (old_size - 1) == 0:  # exact power of two
        path.insert(0, bytes(old_root))
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while fn and not fn & 1:  # fn == sn on the right edge: climb to the next left turn
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == bytes(old_root) and sr == bytes(new_root)
