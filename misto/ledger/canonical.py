"""Canonical JSON: the exact bytes the ledger hashes as a Merkle leaf. No Django import.

Rules: keys sorted, no whitespace (``","`` and ``":"`` separators), UTF-8 without escaping
non-ASCII characters (control characters are still escaped, as JSON requires), no NaN or
infinities, object keys must be strings. The same value always gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

#: Largest canonical entry accepted (bytes). Entries carry hashes and references, not files.
MAX_ENTRY_BYTES = 64 * 1024


_SCALARS = (str, int, bool, type(None))
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                            allow_nan=False)


def _check(value: Any, path: str) -> None:
    """Refuse what JSON cannot carry unchanged. Scalars are tested inline (hot path)."""
    kind = type(value)
    if kind is dict:
        pairs: Any = value.items()
    elif kind is list or kind is tuple:
        pairs = enumerate(value)
    elif kind in _SCALARS:
        return
    elif kind is float:
        if not math.isfinite(value):
            raise ValueError(f"{path}: {value!r} is not a finite number")
        return
    else:
        raise ValueError(f"{path}: {kind.__name__} is not a JSON value")
    for key, item in pairs:
        if kind is dict and type(key) is not str:
            raise ValueError(f"{path}: object key {key!r} is not a string")
        if type(item) not in _SCALARS:
            _check(item, f"{path}.{key}" if kind is dict else f"{path}[{key}]")


def canonical_json(value: Any) -> str:
    """Serialise ``value`` canonically; ``ValueError`` naming the offending path otherwise."""
    _check(value, "$")
    text = _ENCODER.encode(value)
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError as error:
        raise ValueError(f"$: text is not valid Unicode ({error.reason})") from None
    if size > MAX_ENTRY_BYTES:
        raise ValueError(f"$: entry is {size} bytes, more than {MAX_ENTRY_BYTES}")
    return text


def is_canonical(text: str) -> bool:
    """True when ``text`` is exactly the canonical form of the JSON it contains."""
    try:
        return canonical_json(json.loads(text)) == text
    except ValueError:
        return False


def salted_digest(salt: bytes, payload: dict[str, Any]) -> str:
    """SHA-256 over ``salt`` followed by the canonical payload, in hex.

    Here, beside the canonical form it hashes, because both sides of an event entry's
    ``digest`` need it: the handler that writes the entry and the cabinet that opens it."""
    return hashlib.sha256(salt + canonical_json(payload).encode("utf-8")).hexdigest()
