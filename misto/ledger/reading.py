"""Reading the log back, for modules that let anyone recount from it (petitions, votes).

What a module recounts must be what anyone can recount from the public API
(``GET /api/ledger/entries``): the same entries, the same documents.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from misto.ledger.canonical import canonical_json
from misto.ledger.models import LedgerEntry


@dataclass(frozen=True)
class Record:
    index: int
    leaf_hash: str  # base64, as the public API shows it
    kind: str
    time: str
    data: dict[str, Any]


def entries(kind: str, where: dict[str, str | int] | None = None,
            batch: int = 5000) -> Iterator[Record]:
    """Entries of ``kind`` in log order whose data has every ``where`` field equal.

    ``where`` narrows in the database by the canonical text of each field (the document is
    canonical JSON, so ``"petition":"2026-0001"`` appears exactly so), then exactly here.
    """
    rows = LedgerEntry.objects.filter(kind=kind)
    for name, value in (where or {}).items():
        fragment = canonical_json({name: value})[1:-1]  # '"name":value'
        rows = rows.filter(payload__contains=fragment)
    last = -1
    while True:
        chunk = list(rows.filter(index__gt=last).order_by("index")[:batch])
        if not chunk:
            return
        for row in chunk:
            document = json.loads(row.payload)
            data = document.get("data", {})
            if all(data.get(name) == value for name, value in (where or {}).items()):
                yield Record(row.index, base64.b64encode(bytes(row.leaf_hash)).decode(),
                             row.kind, document.get("time", ""), data)
        last = chunk[-1].index
