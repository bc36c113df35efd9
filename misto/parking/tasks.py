"""Parking's background jobs."""

from __future__ import annotations

from misto.core.tasks import task
from misto.parking.services import expire_due


@task()
def expire_sessions() -> dict[str, int]:
    """Stop the sessions whose paid hours or longest stay ended (every minute)."""
    return {"stopped": expire_due()}
