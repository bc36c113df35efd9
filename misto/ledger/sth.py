"""Signed tree heads and promises of inclusion: the exact bytes signed and their JSON form.
No Django import.

The signed bytes are RFC 6962 section 3.5's ``TreeHeadSignature`` structure (50 bytes)::

    version          uint8   0 (v1)
    signature_type   uint8   1 (tree_hash)
    timestamp        uint64  milliseconds since the Unix epoch, big-endian
    tree_size        uint64  big-endian
    sha256_root_hash 32 bytes

signed with Ed25519 (RFC 8032, pure). ``tree_head_signature`` in the JSON is the TLS
``DigitallySigned`` encoding of RFC 6962: the signature scheme ``ed25519`` (0x08 0x07, as in
RFC 8446), a 2-byte big-endian length (64) and the 64-byte signature, base64-encoded. A key's
id is base64(SHA-256(DER SubjectPublicKeyInfo)), the way a CT log's ID is derived.
"""

from __future__ import annotations

import base64
import hashlib
import struct
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_der_public_key

from misto.ledger.canonical import canonical_json

ED25519_SCHEME = b"\x08\x07"
#: The ``statement`` field of a log-replaced statement (its format version).
LOG_REPLACED = "misto.ledger.log-replaced.v1"


def tree_head_tbs(tree_size: int, timestamp: int, root_hash: bytes) -> bytes:
    """The 50 bytes a head's signature covers (see the module docstring)."""
    if len(root_hash) != 32:
        raise ValueError("root hash must be 32 bytes")
    return struct.pack(">BBQQ", 0, 1, timestamp, tree_size) + bytes(root_hash)


def promise_tbs(timestamp: int, first_index: int, count: int, max_merge_delay: int,
                batch_root: bytes) -> bytes:
    """The 62 bytes a promise of inclusion covers (see docs/ledger.md)::

        version          uint8   0 (v1)
        signature_type   uint8   0 (entry_timestamp; a tree head's is 1, so they never mix)
        timestamp        uint64  the entries' time, ms since the Unix epoch, big-endian
        first_index      uint64  the index of the batch's first entry
        count            uint64  how many entries the batch holds (1 for a single append)
        max_merge_delay  uint32  seconds within which a signed head will cover them
        batch_root       32 bytes RFC 9162 MTH of the batch's leaf hashes (for one entry: its
                                  leaf hash)

    One signature covers a batch appended together; each receipt shows its place in the batch
    with an audit path to ``batch_root``.
    """
    if len(batch_root) != 32:
        raise ValueError("batch root must be 32 bytes")
    return struct.pack(">BBQQQI", 0, 0, timestamp, first_index, count,
                       max_merge_delay) + bytes(batch_root)


def promise_json(key: str, timestamp: int, leaf_index: int, leaf_hash: bytes, first_index: int,
                 count: int, batch_path: list[bytes], max_merge_delay: int,
                 signature: bytes) -> dict[str, Any]:
    """A promise of inclusion as a receipt holder keeps it (``log_id`` is the key's id, as a
    CT log's ``log_id``; the signature is a ``DigitallySigned`` blob, as a head's). The batch
    root is recomputed from ``leaf_hash`` and ``batch_path`` (RFC 9162 2.1.3.2 within the
    batch), so it is not repeated."""
    return {"log_id": key, "timestamp": timestamp, "leaf_index": leaf_index,
            "leaf_hash": b64(leaf_hash), "batch_start": first_index, "batch_size": count,
            "batch_path": [b64(h) for h in batch_path], "max_merge_delay": max_merge_delay,
            "signature": b64(encode_signature(signature))}


def verify_promise(public_key_der: bytes, timestamp: int, first_index: int, count: int,
                   max_merge_delay: int, batch_root: bytes, signature: bytes) -> bool:
    """True when ``signature`` (raw) is this key's promise to include the ``count`` entries
    from ``first_index`` whose leaf hashes have the MTH ``batch_root`` within
    ``max_merge_delay`` seconds of ``timestamp``."""
    if len(batch_root) != 32:
        return False
    return _verify(public_key_der, signature,
                   promise_tbs(timestamp, first_index, count, max_merge_delay, batch_root))


def encode_signature(signature: bytes) -> bytes:
    """Wrap a raw Ed25519 signature as a TLS ``DigitallySigned`` structure."""
    return ED25519_SCHEME + struct.pack(">H", len(signature)) + bytes(signature)


def decode_signature(blob: bytes) -> bytes | None:
    """The raw signature inside a ``DigitallySigned`` blob, or None when malformed."""
    if len(blob) < 4 or blob[:2] != ED25519_SCHEME:
        return None
    (length,) = struct.unpack(">H", blob[2:4])
    if length != 64 or len(blob) != 4 + length:
        return None
    return bytes(blob[4:])


def key_id(public_key_der: bytes) -> str:
    return base64.b64encode(hashlib.sha256(public_key_der).digest()).decode()


def b64(data: bytes) -> str:
    return base64.b64encode(bytes(data)).decode()


def sth_json(tree_size: int, timestamp: int, root_hash: bytes, signature: bytes,
             key: str) -> dict[str, Any]:
    """RFC 6962 4.3 ``get-sth`` JSON, plus the signing key's id."""
    return {
        "tree_size": tree_size,
        "timestamp": timestamp,
        "sha256_root_hash": b64(root_hash),
        "tree_head_signature": b64(encode_signature(signature)),
        "key_id": key,
    }


def verify_signature(public_key_der: bytes, tree_size: int, timestamp: int, root_hash: bytes,
                     signature: bytes) -> bool:
    """True when ``signature`` (raw, 64 bytes) signs this head with this public key."""
    if len(root_hash) != 32:
        return False
    return _verify(public_key_der, signature, tree_head_tbs(tree_size, timestamp, root_hash))


def _verify(public_key_der: bytes, signature: bytes, message: bytes) -> bool:
    try:
        public_key = load_der_public_key(bytes(public_key_der))
    except ValueError:
        return False
    if not isinstance(public_key, Ed25519PublicKey):
        return False
    try:
        public_key.verify(bytes(signature), message)
    except InvalidSignature:
        return False
    return True


def _unb64(value: Any) -> bytes | None:
    try:
        return base64.b64decode(value, validate=True) if isinstance(value, str) else None
    except ValueError:
        return None


def statement_problem(data: Any) -> str | None:
    """Why the data of a ``ledger.LogReplaced`` entry does not prove what it claims, or None.

    It must hold the previous log's final head, signed by the previous key (whose public key it
    carries), and the whole statement signed by that same key.
    """
    statement = data.get("statement") if isinstance(data, dict) else None
    if not isinstance(statement, dict) or statement.get("statement") != LOG_REPLACED:
        return f"not a {LOG_REPLACED} statement"
    head, der = statement.get("previous_head"), _unb64(statement.get("previous_public_key"))
    signature = _unb64(data.get("signature"))
    if not isinstance(head, dict) or der is None or signature is None:
        return "the statement lacks the previous head, its public key or the signature"
    if head.get("key_id") != key_id(der):
        return "the previous head's key id is not the given public key's"
    root, blob = _unb64(head.get("sha256_root_hash")), _unb64(head.get("tree_head_signature"))
    head_signature = decode_signature(blob) if blob is not None else None
    size, timestamp = head.get("tree_size"), head.get("timestamp")
    if root is None or head_signature is None or not isinstance(size, int) \
            or not isinstance(timestamp, int) or size < 0 or timestamp < 0 \
            or not verify_signature(der, size, timestamp, root, head_signature):
        return "the previous log's final head is not signed by the previous key"
    try:
        public_key = load_der_public_key(der)
        if not isinstance(public_key, Ed25519PublicKey):
            return "the previous key is not an Ed25519 key"
        public_key.verify(signature, canonical_json(statement).encode("utf-8"))
    except (InvalidSignature, ValueError):
        return "the statement is not signed by the previous key"
    return None
