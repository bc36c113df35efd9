"""Helpers for the ledger's tests: build a log of ``n`` entries with heads at chosen sizes."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from misto.ledger import services


def fill(count: int, start: int = 0, kind: str = "test.thing") -> list[services.Receipt]:
    return services.append_many(
        (kind, {"n": start + i, "ref": f"r{start + i}", "digest": f"{start + i:064x}"}, None)
        for i in range(count)
    )


@pytest.fixture
def build_log() -> Callable[[int, Sequence[int]], list[bytes]]:
    """Append entries up to ``size``, signing a head at each of ``heads`` (and at ``size``).

    Returns the entries' exact leaf bytes, for comparison with ``misto.ledger.merkle``.
    """

    def build(size: int, heads: Sequence[int] = ()) -> list[bytes]:
        done = 0
        for mark in [*sorted(heads), size]:
            fill(mark - done, start=done)
            done = mark
            services.issue_head()
        return [payload.encode() for payload in services.LedgerEntry.objects
                .order_by("index").values_list("payload", flat=True)]

    return build
