"""The ledger's public API at /api/ledger/ (hashes base64, RFC 6962 / 9162 JSON shapes).

Every endpoint is public and read-only except ``POST heads`` (staff: sign a head now).
Bad parameters get 422 (not an integer, negative) or 400 with ``{"error", "code"}``
(index not below size, size beyond the tree), never a 500: handlers raise ``LedgerError``
(codes in ``misto.ledger.errors``) and ``misto/api.py`` answers in the ledger's shape. Every
route declares its answers: :class:`Error` (the ledger's published shape) for 400 and 404,
the core's ``ErrorOut`` for 401, 403 and 422 (which ``Error`` bodies also satisfy), and for
the 400 with which the core refuses a NUL byte on any route.
"""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.security import django_auth
from pydantic import Field

from misto.core.permissions import can
from misto.core.schemas import ErrorOut, Limit, refusals
from misto.ledger import services, sth
from misto.ledger.errors import LedgerCode, LedgerError
from misto.ledger.models import LedgerEntry, SignedTreeHead

router = Router(tags=["ledger"])


class Error(Schema):
    """The ledger's published error body (RFC 6962-style JSON): a reason and a stable code."""

    error: str
    code: str


#: What a 400 may be: the ledger's refusal, or the core's refusal of a NUL byte anywhere in the
#: request, which answers before any route does (in the core's body, ``ErrorOut``).
BadRequest = Error | ErrorOut

#: A tree size or entry index. No upper bound here: one beyond the tree is the ledger's 400
#: (``size_beyond_tree``, ``index_out_of_range``), checked before any query.
Size = Annotated[int, Field(ge=0)]


class HeadsQuery(Schema):
    limit: Limit = 100


class InclusionQuery(Schema):
    index: Size
    size: Annotated[int, Field(ge=1)]


class ConsistencyQuery(Schema):
    first: Size
    second: Size


class EntriesQuery(Schema):
    start: Size
    end: Size


class TreeHead(Schema):
    tree_size: int
    timestamp: int
    sha256_root_hash: str
    tree_head_signature: str
    key_id: str


class InclusionProof(Schema):
    leaf_index: int
    tree_size: int
    leaf_hash: str
    audit_path: list[str]


class ConsistencyProof(Schema):
    first: int
    second: int
    consistency: list[str]


class Entry(Schema):
    leaf_index: int
    leaf_hash: str
    entry: str
    kind: str
    created_at: str
    integrated: bool


class PublicKey(Schema):
    key_id: str
    algorithm: str
    public_key: str
    active: bool
    created_at: str
    retired_at: str | None


@router.get("/heads/latest", response={200: TreeHead, 400: ErrorOut, 404: Error, **refusals()},
            summary="The latest signed tree head (RFC 6962 get-sth)")
def latest_head(request: HttpRequest) -> Status[dict[str, object]]:
    head = services.latest_head()
    if head is None:
        raise LedgerError(LedgerCode.NOT_FOUND, "no tree head has been signed yet", status=404)
    return Status(200, services.head_json(head))


@router.get("/heads", response={200: list[TreeHead], **refusals(400)},
            summary="Signed tree heads, newest first")
def heads(request: HttpRequest, query: Query[HeadsQuery]) -> list[dict[str, object]]:
    rows = SignedTreeHead.objects.select_related("key").order_by("-id")[:query.limit]
    return [services.head_json(head) for head in rows]


@router.post("/heads", response={201: TreeHead, **refusals(400, 401, 403)},
             auth=django_auth,
             summary="Sign a tree head now (staff)")
def issue_head(request: HttpRequest) -> Status[dict[str, object]]:
    if not can(request.user, "ledger.head.issue"):
        raise LedgerError(LedgerCode.FORBIDDEN, "staff only", status=403)
    head = services.issue_head(force=True)
    assert head is not None  # force=True always issues
    return Status(201, services.head_json(head))


@router.get("/proofs/inclusion", response={200: InclusionProof, 400: BadRequest, **refusals()},
            summary="Inclusion proof of entry `index` in the tree of `size` entries")
def inclusion(request: HttpRequest, query: Query[InclusionQuery]) -> Status[dict[str, object]]:
    index, size = query.index, query.size
    path = services.inclusion_proof(index, size)
    leaf = services.leaf_hash_of(index)
    return Status(200, {"leaf_index": index, "tree_size": size, "leaf_hash": sth.b64(leaf),
                        "audit_path": [sth.b64(h) for h in path]})


@router.get("/proofs/consistency",
            response={200: ConsistencyProof, 400: BadRequest, **refusals()},
            summary="Consistency proof between trees of `first` and `second` entries")
def consistency(request: HttpRequest,
                query: Query[ConsistencyQuery]) -> Status[dict[str, object]]:
    first, second = query.first, query.second
    path = services.consistency_proof(first, second)
    return Status(200, {"first": first, "second": second,
                        "consistency": [sth.b64(h) for h in path]})


class EntryRange(Schema):
    entries: list[Entry]


#: Most entries one ``GET entries`` returns (a client pages on, as with RFC 6962 get-entries).
MAX_ENTRIES = 1000


@router.get("/entries", response={200: EntryRange, 400: BadRequest, **refusals()},
            summary="Entries `start`..`end` (inclusive, at most 1000), for mirrors")
def entries(request: HttpRequest, query: Query[EntriesQuery]) -> Status[dict[str, object]]:
    start, end = query.start, query.end
    size, integrated = services.tree_sizes()
    if start > end:
        raise LedgerError(LedgerCode.INVALID_SIZE, f"start ({start}) must not exceed end ({end})")
    if start >= size:
        raise LedgerError(LedgerCode.SIZE_BEYOND_TREE,
                          f"start ({start}) is beyond the log size {size}")
    last = min(end, start + MAX_ENTRIES - 1, size - 1)
    rows = LedgerEntry.objects.filter(index__gte=start, index__lte=last).order_by("index")
    return Status(200, {"entries": [_entry(row, integrated) for row in rows]})


def _entry(row: LedgerEntry, integrated: int) -> dict[str, object]:
    return {
        "leaf_index": row.index, "leaf_hash": sth.b64(bytes(row.leaf_hash)),
        "entry": row.payload, "kind": row.kind, "created_at": row.created_at.isoformat(),
        "integrated": row.index < integrated,
    }


@router.get("/entries/{index}", response={200: Entry, 400: ErrorOut, 404: Error, **refusals()},
            summary="One entry: its canonical JSON (the leaf's bytes) and leaf hash")
def entry(request: HttpRequest, index: int) -> Status[dict[str, object]]:
    # Any integer is a fair question: one that is no entry's index is a 404, not a 422.
    row = LedgerEntry.objects.filter(index=index).first() if 0 <= index < 2**63 else None
    if row is None:
        raise LedgerError(LedgerCode.NOT_FOUND, f"there is no entry {index}", status=404)
    return Status(200, _entry(row, services.tree_sizes()[1]))


@router.get("/keys", response={200: list[PublicKey], **refusals(400)},
            summary="Every public key the log signs or signed heads with")
def keys(request: HttpRequest) -> list[dict[str, object]]:
    return services.published_keys()
