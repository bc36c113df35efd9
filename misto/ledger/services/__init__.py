"""The ledger's operations: append, integrate, sign heads, prove, verify, export.

Everything else in the module (API, pages, command, event handlers, tasks) calls these
functions through this package; each concept lives in its own file:

* ``keys``: the signing key configured, every key published, rotation;
* ``appending``: entries into the log, gapless indices under the state row lock;
* ``tree``: the stored Merkle tree, roots and RFC 9162 proofs;
* ``heads``: signing keys and signed tree heads;
* ``verify``: recomputing the whole log and checking everything stored against it;
* ``exporting``: the log as files for witnesses;
* ``receipts``: a resident's receipts, their openings and the verify page's inclusion check.

(``appending`` and ``exporting``, not ``append`` and ``export``: a submodule named like the
function this package re-exports would shadow it as an attribute of the package.) Each file
imports only files above it in this list, so the package has no cycle. The names below are
what the rest of the code uses.
"""

from __future__ import annotations

from misto.ledger import sth
from misto.ledger.errors import LedgerError
from misto.ledger.models import LedgerEntry, LedgerNode
from misto.ledger.services.appending import (
    LOG_REPLACED_KIND,
    STATE_PK,
    InclusionPromise,
    Receipt,
    _now_ms,
    actor_ref,
    append,
    append_many,
    bulk_insert,
    entry_document,
    entry_time,
    epoch_ms,
    locked_state,
    max_merge_delay,
)
from misto.ledger.services.exporting import entry_json, export, export_heads, iter_export_entries
from misto.ledger.services.heads import (
    HEAD_MAX_AGE_MS,
    head_json,
    head_signature_ok,
    issue_head,
    key_json,
    latest_head,
    published_keys,
)
from misto.ledger.services.keys import (
    generate_key,
    load_private_key,
    public_key_der,
    signing_key,
)
from misto.ledger.services.receipts import (
    InclusionCheck,
    Opening,
    ProofStep,
    check_inclusion,
    openings_for,
    receipts_for,
    trace_inclusion,
)
from misto.ledger.services.tree import (
    INTEGRATE_BATCH,
    consistency_proof,
    fetch_nodes,
    inclusion_proof,
    integrate_pending,
    leaf_hash_of,
    root_at,
    tree_sizes,
)
from misto.ledger.services.verify import VerifyReport, verify_log

__all__ = [
    "HEAD_MAX_AGE_MS",
    "INTEGRATE_BATCH",
    "LOG_REPLACED_KIND",
    "STATE_PK",
    "InclusionCheck",
    "InclusionPromise",
    "LedgerEntry",
    "LedgerError",
    "LedgerNode",
    "Opening",
    "ProofStep",
    "Receipt",
    "VerifyReport",
    "_now_ms",
    "actor_ref",
    "append",
    "append_many",
    "bulk_insert",
    "check_inclusion",
    "consistency_proof",
    "entry_document",
    "entry_json",
    "entry_time",
    "epoch_ms",
    "export",
    "export_heads",
    "fetch_nodes",
    "generate_key",
    "head_json",
    "head_signature_ok",
    "inclusion_proof",
    "integrate_pending",
    "issue_head",
    "iter_export_entries",
    "key_json",
    "latest_head",
    "leaf_hash_of",
    "load_private_key",
    "locked_state",
    "max_merge_delay",
    "openings_for",
    "public_key_der",
    "published_keys",
    "receipts_for",
    "root_at",
    "signing_key",
    "sth",
    "trace_inclusion",
    "tree_sizes",
    "verify_log",
]
