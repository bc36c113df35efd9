"""Canonical JSON: the exact bytes the ledger hashes as a Merkle leaf. No Django import.

Rules: keys sorted, no whitespace (``","`` and ``":"`` separators), UTF-8 without escaping
non-ASCII characters (control characters are still escaped, as JSON requires), no NaN or
infinities, object keys must be strings. The same value always gives the same bytes.
"""

from __future__ import annotations

import json
import math
from typing import Any

#: Largest canonical entry accepted (bytes). Entries carry hashes and references, not files.
MAX_ENTRY_BYTES = 64 * 1024


def _check(value: Any, path: str) -> None:
    if value is None or isinstance(value, bool | int | str):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{path}: {value!r} is not a finite number")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"{path}: object key {key!r} is not a string")
            _check(item, f"{path}.{key}")
        return
    if isinstance(value, list | tuple):
        for position, item in enumerate(value):
            _check(item, f"{path}[{position}]")
        return
    raise ValueError(f"{path}: {type(value).__name__} is not a JSON value")


def canonical_json(value: Any) -> str:
    """Serialise ``value`` canonically; ``ValueError`` naming the offending path otherwise."""
    _check(value, "$")
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)
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
