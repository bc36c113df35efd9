"""Background jobs: fold appended entries into the tree, sign heads on a schedule."""

from __future__ import annotations

from misto.core.tasks import task
from misto.ledger import services


@task()
def integrate() -> int:
    """Integrate every entry appended since the last run into the stored tree."""
    return services.integrate_pending()


@task()
def issue_scheduled_head() -> int | None:
    """Sign a head when the tree grew (or the last head is a day old); returns its size."""
    head = services.issue_head(force=False)
    return head.tree_size if head else None
