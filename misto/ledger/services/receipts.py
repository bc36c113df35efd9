"""Receipts and the verify page: what a resident sees of the log.

Why a file of its own: this is the resident-facing side (the cabinet's receipts, the opening
of one's own entries, the step-by-step inclusion check on the verify page), built on the tree
and the heads but changing for other reasons than they do.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from misto.core.models import OutboxEvent
from misto.ledger import merkle
from misto.ledger.canonical import canonical_json, salted_digest
from misto.ledger.errors import LedgerCode, LedgerError
from misto.ledger.models import LedgerEntry, SignedTreeHead
from misto.ledger.services.appending import InclusionPromise, Receipt, actor_ref, epoch_ms
from misto.ledger.services.heads import head_signature_ok, latest_head
from misto.ledger.services.tree import inclusion_proof


def receipts_for(actor: str, limit: int = 20) -> list[Receipt]:
    """The newest receipts of one actor (a user's primary key as a string), each with its
    signed promise of inclusion (and the leaf hashes of its batch, for the audit path)."""
    rows = list(
        LedgerEntry.objects.filter(actor_ref=actor_ref(actor)).order_by("-index")
        .values_list("index", "leaf_hash", "kind", "created_at", "promise_signature",
                     "promise_key__key_id", "promise_merge_delay", "promise_batch_start",
                     "promise_batch_size")[:limit]
    )
    batches: dict[tuple[int, int], tuple[bytes, ...]] = {}
    for row in rows:
        start, size = row[7], row[8]
        if start is not None and size is not None and (start, size) not in batches:
            batches[(start, size)] = tuple(
                bytes(h) for h in LedgerEntry.objects.filter(
                    index__gte=start, index__lt=start + size)
                .order_by("index").values_list("leaf_hash", flat=True))
    receipts = []
    for index, leaf, kind, created_at, signature, key_id, delay, start, size in rows:
        leaves = batches.get((start, size)) if start is not None and size is not None else None
        promise = None
        if signature is not None and key_id is not None and delay is not None \
                and start is not None and leaves is not None and len(leaves) == size:
            promise = InclusionPromise(key_id, epoch_ms(created_at), int(index), start, leaves,
                                       delay, bytes(signature))
        receipts.append(Receipt(int(index), bytes(leaf), kind, created_at, promise))
    return receipts


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
