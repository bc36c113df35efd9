"""Tests for misto.ledger.merkle against RFC 9162 section 2.1.

Plain pytest, no Django: the module under test is pure Python by design.

Three kinds of evidence:

* the published Certificate Transparency reference vectors (exact hashes, not just
  self-consistency), so an interoperable verifier written elsewhere will agree with us;
* a literal, recursive transcription of the RFC's MTH / PATH / SUBPROOF definitions, written
  independently of the module (own hashlib calls), against which the iterative, range-based
  implementation is compared exhaustively for every size up to 70;
* property tests that every honest proof verifies and every tampered or malformed one is
  rejected with ``False`` rather than an exception.
"""

from __future__ import annotations

import hashlib
import itertools
import random
from collections.abc import Callable

import pytest

from misto.ledger.merkle import (
    EMPTY_ROOT,
    consistency_proof,
    consistency_proof_ranges,
    fold_right,
    inclusion_proof,
    inclusion_proof_ranges,
    leaf_hash,
    node_hash,
    proof_from_ranges,
    proof_nodes,
    range_decomposition,
    range_hash,
    root_from_leaf_hashes,
    root_from_nodes,
    root_hash,
    verify_consistency,
    verify_inclusion,
    verify_inclusion_by_leaf_hash,
)

# ---------------------------------------------------------------------------------------------
# Reference vectors.
#
# Source: github.com/transparency-dev/merkle (Apache-2.0), the Merkle tree library shared by
# Trillian and the Certificate Transparency Go code:
#   * testonly/constants.go  -- LeafInputs(), NodeHashes(), RootHashes(), EmptyRootHash()
#   * proof/verify_test.go   -- inclusionProofs, consistencyProofs, roots, leaves
# The same values appear in google/certificate-transparency's merkle tree tests.
# verify_test.go numbers inclusion leaves from 1 ({1, 8} is leaf 0 of a size-8 tree); they are
# converted to 0-based indices below.
# ---------------------------------------------------------------------------------------------

LEAVES: list[bytes] = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]

# ROOTS[n] is the root of the tree over LEAVES[:n].
ROOTS: list[bytes] = [
    bytes.fromhex(h)
    for h in (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    )
]

# NODE_HASHES[level][index]: hashes of all perfect subtrees of the size-8 tree, i.e. exactly
# the (level, index) addressing used by merkle.range_decomposition.
NODE_HASHES: list[list[bytes]] = [
    [
        bytes.fromhex(h)
        for h in (
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
            "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
        )
    ],
    [
        bytes.fromhex(h)
        for h in (
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        )
    ],
    [
        bytes.fromhex(h)
        for h in (
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        )
    ],
    [bytes.fromhex("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")],
]

# (0-based leaf index, tree size, expected audit path)
INCLUSION_VECTORS: list[tuple[int, int, list[str]]] = [
    (0, 1, []),
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]

# (old size, new size, expected consistency proof)
CONSISTENCY_VECTORS: list[tuple[int, int, list[str]]] = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]

# From proof/verify_test.go: an arbitrary well-formed hash that is not in any test tree.
SOME_HASH = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")


def _hx(hexes: list[str]) -> list[bytes]:
    return [bytes.fromhex(h) for h in hexes]


def _flip(data: bytes, bit: int = 3) -> bytes:
    return bytes([data[0] ^ (1 << bit)]) + data[1:]


def _vector_node_getter(level: int, index: int) -> bytes:
    return NODE_HASHES[level][index]


# ---------------------------------------------------------------------------------------------
# Independent literal transcription of RFC 9162 2.1 (recursive, slicing), used as an oracle.
# ---------------------------------------------------------------------------------------------


def _ref_leaf(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def _ref_node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _ref_k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def ref_mth(d: list[bytes]) -> bytes:
    if not d:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return _ref_leaf(d[0])
    k = _ref_k(len(d))
    return _ref_node(ref_mth(d[:k]), ref_mth(d[k:]))


def ref_path(m: int, d: list[bytes]) -> list[bytes]:
    if len(d) == 1:
        return []
    k = _ref_k(len(d))
    if m < k:
        return [*ref_path(m, d[:k]), ref_mth(d[k:])]
    return [*ref_path(m - k, d[k:]), ref_mth(d[:k])]


def ref_subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if b else [ref_mth(d)]
    k = _ref_k(n)
    if m <= k:
        return [*ref_subproof(m, d[:k], b), ref_mth(d[k:])]
    return [*ref_subproof(m - k, d[k:], False), ref_mth(d[:k])]


def ref_proof(m: int, d: list[bytes]) -> list[bytes]:
    return ref_subproof(m, d, True)


MAX_N = 70
ENTRIES: list[bytes] = [b""] + [f"misto ledger entry {i}".encode() for i in range(1, MAX_N)]


# ---------------------------------------------------------------------------------------------
# Primitives and roots
# ---------------------------------------------------------------------------------------------


def test_leaf_and_node_hash_domain_separation() -> None:
    assert leaf_hash(b"abc") == hashlib.sha256(b"\x00abc").digest()
    left, right = b"L" * 32, b"R" * 32
    assert node_hash(left, right) == hashlib.sha256(b"\x01" + left + right).digest()
    assert leaf_hash(b"") == NODE_HASHES[0][0]
    assert ROOTS[0] == EMPTY_ROOT


def test_leaf_hashes_match_vectors() -> None:
    assert [leaf_hash(e) for e in LEAVES] == NODE_HASHES[0]


@pytest.mark.parametrize("size", range(len(ROOTS)))
def test_root_hash_vectors(size: int) -> None:
    assert root_hash(LEAVES[:size]) == ROOTS[size]
    assert root_from_leaf_hashes([leaf_hash(e) for e in LEAVES[:size]]) == ROOTS[size]


@pytest.mark.parametrize("size", range(len(ROOTS)))
def test_root_from_published_node_hashes(size: int) -> None:
    """The storage path (perfect-subtree nodes + right fold) reproduces the published roots."""
    assert root_from_nodes(_vector_node_getter, size) == ROOTS[size]


def test_interior_node_vectors() -> None:
    for level in range(1, len(NODE_HASHES)):
        for index, expected in enumerate(NODE_HASHES[level]):
            left = NODE_HASHES[level - 1][2 * index]
            right = NODE_HASHES[level - 1][2 * index + 1]
            assert node_hash(left, right) == expected


@pytest.mark.parametrize("size", range(MAX_N + 1))
def test_root_matches_reference(size: int) -> None:
    assert root_hash(ENTRIES[:size]) == ref_mth(ENTRIES[:size])


def test_root_hash_accepts_tuple() -> None:
    assert root_hash(tuple(LEAVES)) == ROOTS[8]


# ---------------------------------------------------------------------------------------------
# Inclusion proofs: vectors
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("index", "size", "expected"), INCLUSION_VECTORS)
def test_inclusion_proof_vectors(index: int, size: int, expected: list[str]) -> None:
    entries = LEAVES[:size]
    proof = inclusion_proof(index, entries)
    assert proof == _hx(expected)
    assert proof_from_ranges(_vector_node_getter, inclusion_proof_ranges(index, size)) == proof
    assert verify_inclusion(entries[index], index, size, proof, ROOTS[size])


@pytest.mark.parametrize(("index", "size", "expected"), INCLUSION_VECTORS)
def test_inclusion_vectors_reject_corruption(index: int, size: int, expected: list[str]) -> None:
    """The corruption probes of transparency-dev/merkle proof/verify_test.go."""
    proof = _hx(expected)
    root = ROOTS[size]
    entry = LEAVES[index]
    lh = leaf_hash(entry)
    probes: list[tuple[bytes, int, int, list[bytes], bytes]] = [
        (lh, index - 1, size, proof, root),
        (lh, index + 1, size, proof, root),
        (lh, index ^ 2, size, proof, root),
        (lh, index, size * 2, proof, root),
        (lh, index, size // 2, proof, root),
        (leaf_hash(b"WrongLeaf"), index, size, proof, root),
        (lh, index, size, proof, EMPTY_ROOT),
        (lh, index, size, proof, SOME_HASH),
        (lh, index, size, [*proof, b""], root),
        (lh, index, size, [*proof, root], root),
        (lh, index, size, [b"", *proof], root),
        (lh, index, size, [root, *proof], root),
    ]
    for i in range(len(proof)):
        bad = list(proof)
        bad[i] = _flip(bad[i])
        probes.append((lh, index, size, bad, root))
    if proof:
        probes.append((lh, index, size, proof[:-1], root))
    if len(proof) > 1:
        probes.append((lh, index, size, [proof[0], SOME_HASH, *proof[1:]], root))
    for leaf, i, n, p, r in probes:
        assert not verify_inclusion_by_leaf_hash(leaf, i, n, p, r), (i, n)
    assert verify_inclusion_by_leaf_hash(lh, index, size, proof, root)


def test_inclusion_single_entry_tree() -> None:
    h = leaf_hash(b"data")
    assert verify_inclusion(b"data", 0, 1, [], h)
    assert not verify_inclusion(b"data", 0, 1, [], b"")
    assert not verify_inclusion_by_leaf_hash(b"", 0, 1, [], h)
    assert not verify_inclusion_by_leaf_hash(b"", 0, 1, [], b"")


@pytest.mark.parametrize(("index", "size"), [(0, 0), (0, 1), (1, 0), (2, 1)])
def test_inclusion_degenerate_probes(index: int, size: int) -> None:
    """From verify_test.go TestVerifyInclusion: nothing verifies against an empty or bad root."""
    assert not verify_inclusion_by_leaf_hash(SOME_HASH, index, size, [], b"")
    assert not verify_inclusion_by_leaf_hash(b"", index, size, [], EMPTY_ROOT)
    assert not verify_inclusion_by_leaf_hash(SOME_HASH, index, size, [], EMPTY_ROOT)


# ---------------------------------------------------------------------------------------------
# Consistency proofs: vectors
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("old", "new", "expected"), CONSISTENCY_VECTORS)
def test_consistency_proof_vectors(old: int, new: int, expected: list[str]) -> None:
    proof = consistency_proof(old, LEAVES[:new])
    assert proof == _hx(expected)
    assert proof_from_ranges(_vector_node_getter, consistency_proof_ranges(old, new)) == proof
    assert verify_consistency(old, new, ROOTS[old], ROOTS[new], proof)


@pytest.mark.parametrize(("old", "new", "expected"), [v for v in CONSISTENCY_VECTORS if v[2]])
def test_consistency_vectors_reject_corruption(old: int, new: int, expected: list[str]) -> None:
    """The corruption probes of transparency-dev/merkle proof/verify_test.go."""
    proof = _hx(expected)
    r1, r2 = ROOTS[old], ROOTS[new]
    probes: list[tuple[int, int, bytes, bytes, list[bytes]]] = [
        (old - 1, new, r1, r2, proof),
        (old + 1, new, r1, r2, proof),
        (old ^ 2, new, r1, r2, proof),
        (old, new * 2, r1, r2, proof),
        (old, new // 2, r1, r2, proof),
        (old, new, b"WrongRoot", r2, proof),
        (old, new, r1, b"WrongRoot", proof),
        (old, new, r2, r1, proof),
        (old, new, r1, r2, []),
        (old, new, r1, r2, [*proof, b""]),
        (old, new, r1, r2, [*proof, r1]),
        (old, new, r1, r2, [*proof, r2]),
        (old, new, r1, r2, [b"", *proof]),
        (old, new, r1, r2, [r1, *proof]),
        (old, new, r1, r2, [r2, *proof]),
        (old, new, r1, r2, [proof[0], *proof]),
        (old, new, r1, r2, proof[:-1]),
    ]
    for i in range(len(proof)):
        bad = list(proof)
        bad[i] = _flip(bad[i], 4)
        probes.append((old, new, r1, r2, bad))
    for m, n, a, b, p in probes:
        assert not verify_consistency(m, n, a, b, p), (m, n)


def test_consistency_trivial_cases() -> None:
    """From verify_test.go TestVerifyConsistency, with this module's stated 0-size rule."""
    root1, root2 = b"don't care 1", b"don't care 2"
    assert not verify_consistency(0, 0, root1, root2, [])
    assert not verify_consistency(1, 1, root1, root2, [])
    assert verify_consistency(0, 0, root1, root1, [])
    assert verify_consistency(0, 1, root1, root2, [])
    assert verify_consistency(1, 1, root2, root2, [])
    assert not verify_consistency(1, 0, root1, root2, [])
    assert not verify_consistency(2, 1, root1, root2, [])
    assert not verify_consistency(1, 2, root1, root2, [])
    assert not verify_consistency(0, 0, EMPTY_ROOT, root2, [])
    assert not verify_consistency(1, 1, EMPTY_ROOT, root2, [])
    for m, n in ((0, 0), (0, 1), (1, 1)):
        assert not verify_consistency(m, n, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT])
    assert consistency_proof(0, LEAVES) == []
    assert consistency_proof(8, LEAVES) == []


# ---------------------------------------------------------------------------------------------
# Exhaustive properties, sizes 1..70
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", range(1, MAX_N + 1))
def test_inclusion_all_indices(size: int) -> None:
    entries = ENTRIES[:size]
    root = root_hash(entries)
    for index in range(size):
        proof = inclusion_proof(index, entries)
        assert proof == ref_path(index, entries), index
        assert verify_inclusion(entries[index], index, size, proof, root), index

        # Same proof at any other position of the same tree fails.  (A different *size* is not
        # tampered with here: e.g. leaf 0 has the same proof shape in trees of 3 and 4, so the
        # size is bound only through the root, which the log signs together with the size.)
        for other in range(size):
            if other != index:
                assert not verify_inclusion(entries[index], other, size, proof, root)
        # A different entry claiming this position fails.
        assert not verify_inclusion(b"forged", index, size, proof, root)
        if size > 1:
            assert not verify_inclusion(entries[(index + 1) % size], index, size, proof, root)
        # Tampered root.
        assert not verify_inclusion(entries[index], index, size, proof, _flip(root))
        assert not verify_inclusion(entries[index], index, size, proof, root_hash(entries[:-1]))
        # Tampered proof: flipped bits, dropped / extra / reordered elements.
        for i in range(len(proof)):
            bad = list(proof)
            bad[i] = _flip(bad[i], i % 8)
            assert not verify_inclusion(entries[index], index, size, bad, root)
        if proof:
            assert not verify_inclusion(entries[index], index, size, proof[:-1], root)
            assert not verify_inclusion(entries[index], index, size, proof[1:], root)
        assert not verify_inclusion(entries[index], index, size, [*proof, SOME_HASH], root)
        assert not verify_inclusion(entries[index], index, size, [SOME_HASH, *proof], root)
        if len(proof) > 1 and proof[0] != proof[1]:
            swapped = [proof[1], proof[0], *proof[2:]]
            assert not verify_inclusion(entries[index], index, size, swapped, root)


@pytest.mark.parametrize("new", range(1, MAX_N + 1))
def test_consistency_all_pairs(new: int) -> None:
    entries = ENTRIES[:new]
    new_root = root_hash(entries)
    roots = [root_hash(ENTRIES[:m]) for m in range(new + 1)]
    for old in range(1, new + 1):
        old_root = roots[old]
        proof = consistency_proof(old, entries)
        assert proof == ref_proof(old, entries), old
        assert verify_consistency(old, new, old_root, new_root, proof), old
        if old == new:
            assert proof == []
            assert not verify_consistency(old, new, old_root, new_root, [SOME_HASH])
            assert not verify_consistency(old, new, old_root, _flip(new_root), [])
            continue

        # A forked history (old tree differs in one leaf) is not consistent.
        forked = [*ENTRIES[: old - 1], b"forked"]
        assert not verify_consistency(old, new, root_hash(forked), new_root, proof)
        # Wrong or swapped roots.
        assert not verify_consistency(old, new, _flip(old_root), new_root, proof)
        assert not verify_consistency(old, new, old_root, _flip(new_root), proof)
        assert not verify_consistency(old, new, new_root, old_root, proof)
        # Same proof and roots claimed for any other old size fail.
        for other in range(1, new):
            if other != old:
                assert not verify_consistency(other, new, old_root, new_root, proof), other
        # (Not asserted: the same proof under a different *new* size.  Proof shapes coincide for
        # e.g. 1 -> 3 and 1 -> 4, so as in the RFC the new size is bound only through new_root,
        # which the log signs together with the size.)
        # Tampered proof.
        assert not verify_consistency(old, new, old_root, new_root, [])
        for i in range(len(proof)):
            bad = list(proof)
            bad[i] = _flip(bad[i], i % 8)
            assert not verify_consistency(old, new, old_root, new_root, bad)
        assert not verify_consistency(old, new, old_root, new_root, proof[:-1])
        assert not verify_consistency(old, new, old_root, new_root, proof[1:])
        assert not verify_consistency(old, new, old_root, new_root, [*proof, SOME_HASH])
        assert not verify_consistency(old, new, old_root, new_root, [SOME_HASH, *proof])
        assert not verify_consistency(old, new, old_root, new_root, [proof[0], *proof])


def test_larger_tree_spot_checks() -> None:
    """Sizes past 64 with deep ragged right edges, compared against the RFC oracle."""
    rng = random.Random(9162)
    entries = [f"e{i}".encode() for i in range(1029)]
    for size in (127, 128, 129, 1000, 1024, 1025, 1029):
        d = entries[:size]
        root = root_hash(d)
        assert root == ref_mth(d)
        for index in {0, size - 1, size // 2, rng.randrange(size)}:
            proof = inclusion_proof(index, d)
            assert proof == ref_path(index, d)
            assert verify_inclusion(d[index], index, size, proof, root)
        for old in {1, size - 1, size // 3, rng.randrange(1, size + 1)}:
            proof = consistency_proof(old, d)
            assert proof == ref_proof(old, d)
            assert verify_consistency(old, size, root_hash(d[:old]), root, proof)


# ---------------------------------------------------------------------------------------------
# Range helpers (the storage-facing API)
# ---------------------------------------------------------------------------------------------


def _covered(nodes: list[tuple[int, int]]) -> list[int]:
    out: list[int] = []
    for level, index in nodes:
        out.extend(range(index << level, (index + 1) << level))
    return out


def test_range_decomposition_properties() -> None:
    for start in range(MAX_N + 1):
        for end in range(start, MAX_N + 1):
            nodes = range_decomposition(start, end)
            # Exact, ordered cover of [start, end).
            assert _covered(nodes) == list(range(start, end))
            # Maximal: no two neighbours can merge into an aligned parent.
            for (l1, i1), (l2, i2) in itertools.pairwise(nodes):
                assert not (l1 == l2 and i1 % 2 == 0 and i2 == i1 + 1)
            # At most two nodes per level (rising, then falling sizes).
            levels = [lvl for lvl, _ in nodes]
            assert all(levels.count(lvl) <= 2 for lvl in set(levels))
    assert range_decomposition(0, 0) == []
    assert range_decomposition(0, 13) == [(3, 0), (2, 2), (0, 12)]
    assert range_decomposition(3, 13) == [(0, 3), (2, 1), (2, 2), (0, 12)]


def test_range_decomposition_rejects_bad_ranges() -> None:
    with pytest.raises(ValueError):
        range_decomposition(-1, 3)
    with pytest.raises(ValueError):
        range_decomposition(5, 4)


def test_fold_right() -> None:
    a, b, c = (bytes([x]) * 32 for x in (1, 2, 3))
    assert fold_right([a]) == a
    assert fold_right([a, b, c]) == node_hash(a, node_hash(b, c))
    with pytest.raises(ValueError):
        fold_right([])


def test_range_hash_rejects_non_subtree_ranges() -> None:
    with pytest.raises(ValueError):
        range_hash(_vector_node_getter, 1, 3)  # [1, 3) is never an RFC subtree
    with pytest.raises(ValueError):
        range_hash(_vector_node_getter, 3, 3)
    assert range_hash(_vector_node_getter, 4, 7) == ref_mth(LEAVES[4:7])
    assert range_hash(_vector_node_getter, 0, 0) == EMPTY_ROOT


def test_proof_ranges_reject_bad_arguments() -> None:
    for index, size in ((-1, 5), (5, 5), (0, 0)):
        with pytest.raises(ValueError):
            inclusion_proof_ranges(index, size)
        with pytest.raises(ValueError):
            inclusion_proof(index, ENTRIES[: max(size, 0)])
    for old, new in ((-1, 5), (6, 5)):
        with pytest.raises(ValueError):
            consistency_proof_ranges(old, new)
        with pytest.raises(ValueError):
            consistency_proof(old, ENTRIES[:new])


def test_proof_ranges_are_rfc_subtrees_and_partition_correctly() -> None:
    for size in range(1, MAX_N + 1):
        for index in range(size):
            ranges = inclusion_proof_ranges(index, size)
            # Together with the leaf itself the ranges tile [0, size) exactly.
            cells = sorted([index, *(i for s, e in ranges for i in range(s, e))])
            assert cells == list(range(size))
        for old in range(1, size):
            for start, end in consistency_proof_ranges(old, size):
                top = 1 << ((end - start).bit_length() - 1)
                assert start % top == 0


class _CountingStore:
    """A fake node store handing out arbitrary distinct hashes and counting reads."""

    def __init__(self) -> None:
        self.reads = 0

    def get_node(self, level: int, index: int) -> bytes:
        self.reads += 1
        return hashlib.sha256(f"{level}/{index}".encode()).digest()


@pytest.mark.parametrize("size", [1_000_000, 2**20 - 1, 2**20, 2**20 + 1])
def test_storage_backed_proofs_touch_logarithmic_nodes(size: int) -> None:
    """At a million entries a proof needs O(log n) stored nodes, not O(n) leaves."""
    bound = 2 * size.bit_length()
    rng = random.Random(size)
    indices = [0, 1, size // 2, size - 2, size - 1, *(rng.randrange(size) for _ in range(50))]
    for index in indices:
        index = max(index, 0)
        ranges = inclusion_proof_ranges(index, size)
        assert len(ranges) <= size.bit_length()
        store = _CountingStore()
        proof = proof_from_ranges(store.get_node, ranges)
        assert len(proof) == len(ranges)
        assert store.reads <= bound
        assert len(proof_nodes(ranges)) <= bound
    olds = [1, 2, 3, size // 2, size - 1, *(rng.randrange(1, size + 1) for _ in range(50))]
    for old in olds:
        old = max(min(old, size), 1)
        ranges = consistency_proof_ranges(old, size)
        store = _CountingStore()
        proof_from_ranges(store.get_node, ranges)
        assert store.reads <= bound
    store = _CountingStore()
    root_from_nodes(store.get_node, size)
    assert store.reads == size.bit_count()


def _dict_getter(table: dict[tuple[int, int], bytes]) -> Callable[[int, int], bytes]:
    def get_node(level: int, index: int) -> bytes:
        return table[(level, index)]

    return get_node


def test_dict_backed_store_matches_in_memory_proofs() -> None:
    """The prefetch pattern a database would use: proof_nodes -> one query -> dict lookups."""
    size = 45
    entries = ENTRIES[:size]
    leaf_hashes = [leaf_hash(e) for e in entries]

    def perfect(level: int, index: int) -> bytes:
        lo = index << level
        return ref_mth(entries[lo : lo + (1 << level)])

    for index in range(size):
        ranges = inclusion_proof_ranges(index, size)
        table = {node: perfect(*node) for node in proof_nodes(ranges)}
        proof = proof_from_ranges(_dict_getter(table), ranges)
        assert proof == inclusion_proof(index, entries)
        assert verify_inclusion_by_leaf_hash(
            leaf_hashes[index], index, size, proof, root_from_leaf_hashes(leaf_hashes)
        )


# ---------------------------------------------------------------------------------------------
# Garbage in: verifiers answer False and never raise
# ---------------------------------------------------------------------------------------------

_GOOD_ENTRY = LEAVES[5]
_GOOD_PROOF = _hx(INCLUSION_VECTORS[2][2])  # leaf 5 of size 8


@pytest.mark.parametrize(
    ("entry", "index", "size", "proof", "root"),
    [
        (_GOOD_ENTRY, -1, 8, _GOOD_PROOF, ROOTS[8]),
        (_GOOD_ENTRY, 8, 8, _GOOD_PROOF, ROOTS[8]),
        (_GOOD_ENTRY, 9, 8, _GOOD_PROOF, ROOTS[8]),
        (_GOOD_ENTRY, 5, -8, _GOOD_PROOF, ROOTS[8]),
        (_GOOD_ENTRY, 5, 0, _GOOD_PROOF, ROOTS[8]),
        (_GOOD_ENTRY, 5, 2**200, _GOOD_PROOF, ROOTS[8]),
        (_GOOD_ENTRY, 5.0, 8, _GOOD_PROOF, ROOTS[8]),
        (_GOOD_ENTRY, "5", 8, _GOOD_PROOF, ROOTS[8]),
        (_GOOD_ENTRY, None, 8, _GOOD_PROOF, ROOTS[8]),
        (_GOOD_ENTRY, 5, None, _GOOD_PROOF, ROOTS[8]),
        (_GOOD_ENTRY, True, 8, _GOOD_PROOF, ROOTS[8]),
        (None, 5, 8, _GOOD_PROOF, ROOTS[8]),
        ("40414243", 5, 8, _GOOD_PROOF, ROOTS[8]),
        (12345, 5, 8, _GOOD_PROOF, ROOTS[8]),
        (_GOOD_ENTRY, 5, 8, None, ROOTS[8]),
        (_GOOD_ENTRY, 5, 8, b"".join(_GOOD_PROOF), ROOTS[8]),
        (_GOOD_ENTRY, 5, 8, "proof", ROOTS[8]),
        (_GOOD_ENTRY, 5, 8, [None, *_GOOD_PROOF[1:]], ROOTS[8]),
        (_GOOD_ENTRY, 5, 8, [h[:31] for h in _GOOD_PROOF], ROOTS[8]),
        (_GOOD_ENTRY, 5, 8, [h + b"\x00" for h in _GOOD_PROOF], ROOTS[8]),
        (_GOOD_ENTRY, 5, 8, [h.hex() for h in _GOOD_PROOF], ROOTS[8]),
        (_GOOD_ENTRY, 5, 8, _GOOD_PROOF[:2], ROOTS[8]),
        (_GOOD_ENTRY, 5, 8, [*_GOOD_PROOF, SOME_HASH], ROOTS[8]),
        (_GOOD_ENTRY, 5, 8, [], ROOTS[8]),
        (_GOOD_ENTRY, 5, 8, _GOOD_PROOF, None),
        (_GOOD_ENTRY, 5, 8, _GOOD_PROOF, b""),
        (_GOOD_ENTRY, 5, 8, _GOOD_PROOF, ROOTS[8].hex()),
    ],
)
def test_verify_inclusion_garbage_returns_false(
    entry: object, index: object, size: object, proof: object, root: object
) -> None:
    assert verify_inclusion(entry, index, size, proof, root) is False  # type: ignore[arg-type]


def test_verify_inclusion_garbage_baseline() -> None:
    assert verify_inclusion(_GOOD_ENTRY, 5, 8, _GOOD_PROOF, ROOTS[8]) is True
    assert verify_inclusion(_GOOD_ENTRY, 5, 8, tuple(_GOOD_PROOF), ROOTS[8]) is True


_C_PROOF = _hx(CONSISTENCY_VECTORS[2][2])  # 6 -> 8


@pytest.mark.parametrize(
    ("old", "new", "old_root", "new_root", "proof"),
    [
        (-6, 8, ROOTS[6], ROOTS[8], _C_PROOF),
        (6, -8, ROOTS[6], ROOTS[8], _C_PROOF),
        (9, 8, ROOTS[6], ROOTS[8], _C_PROOF),
        (8, 6, ROOTS[8], ROOTS[6], _C_PROOF),
        (8, 6, ROOTS[8], ROOTS[6], []),
        (6, 2**200, ROOTS[6], ROOTS[8], _C_PROOF),
        (6.0, 8, ROOTS[6], ROOTS[8], _C_PROOF),
        (None, 8, ROOTS[6], ROOTS[8], _C_PROOF),
        (6, "8", ROOTS[6], ROOTS[8], _C_PROOF),
        (True, 8, ROOTS[1], ROOTS[8], _hx(CONSISTENCY_VECTORS[1][2])),
        (6, 8, None, ROOTS[8], _C_PROOF),
        (6, 8, ROOTS[6], None, _C_PROOF),
        (6, 8, ROOTS[6].hex(), ROOTS[8], _C_PROOF),
        (6, 8, ROOTS[6][:31], ROOTS[8], _C_PROOF),
        (6, 8, ROOTS[6], ROOTS[8], None),
        (6, 8, ROOTS[6], ROOTS[8], b"".join(_C_PROOF)),
        (6, 8, ROOTS[6], ROOTS[8], [None, *_C_PROOF[1:]]),
        (6, 8, ROOTS[6], ROOTS[8], [h[:31] for h in _C_PROOF]),
        (6, 8, ROOTS[6], ROOTS[8], [h.hex() for h in _C_PROOF]),
        (6, 8, ROOTS[6], ROOTS[8], _C_PROOF[:2]),
        (6, 8, ROOTS[6], ROOTS[8], [*_C_PROOF, SOME_HASH]),
        (6, 8, ROOTS[6], ROOTS[8], []),
        (0, 8, ROOTS[0], ROOTS[8], _C_PROOF),
        (8, 8, ROOTS[8], ROOTS[8], _C_PROOF),
        (8, 8, ROOTS[8], None, []),
        (0, 0, EMPTY_ROOT, EMPTY_ROOT, None),
    ],
)
def test_verify_consistency_garbage_returns_false(
    old: object, new: object, old_root: object, new_root: object, proof: object
) -> None:
    assert verify_consistency(old, new, old_root, new_root, proof) is False  # type: ignore[arg-type]


def test_verify_consistency_garbage_baseline() -> None:
    assert verify_consistency(6, 8, ROOTS[6], ROOTS[8], _C_PROOF) is True
    assert verify_consistency(6, 8, ROOTS[6], ROOTS[8], tuple(_C_PROOF)) is True
    assert verify_consistency(0, 8, ROOTS[0], ROOTS[8], []) is True
    assert verify_consistency(8, 8, ROOTS[8], ROOTS[8], []) is True
