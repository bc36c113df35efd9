"""The wallet's background jobs."""

from __future__ import annotations

from misto.core.tasks import task
from misto.wallet.services.totals import anchor_closed_days


@task()
def anchor_days() -> dict[str, int]:
    """Anchor closed days' totals in the public ledger (hourly; each day once)."""
    return {"anchored": anchor_closed_days()}
