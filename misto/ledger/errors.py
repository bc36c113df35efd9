"""The ledger's error codes and error: the API, the pages and the command say the same."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from misto.core.errors import MistoError


class LedgerCode(StrEnum):
    INVALID_ENTRY = "invalid_entry"
    INVALID_SIZE = "invalid_size"
    INDEX_OUT_OF_RANGE = "index_out_of_range"
    SIZE_BEYOND_TREE = "size_beyond_tree"
    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"
    REPLACE_REFUSED = "replace_refused"  # misto ledger new-log refused (nothing changed)


class LedgerError(MistoError, ValueError):
    """A request the ledger cannot satisfy (still a ``ValueError``, as callers knew it).

    The ledger's API publishes its own error shape, ``{"error": <message>, "code": <code>}``
    (the field names of the RFC 6962 style JSON it serves), so it keeps that shape here.
    """

    def api_body(self) -> dict[str, Any]:
        return {"error": self.message, "code": str(self.code)}
