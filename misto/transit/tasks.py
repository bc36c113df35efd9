"""The transit module's background work."""

from __future__ import annotations

from misto.core.tasks import task
from misto.transit.services import housekeeping, overload


@task()
def prune() -> dict[str, int]:
    """Daily: what is only kept for a while goes (docs/transit.md, "Keeping")."""
    return housekeeping.prune()


@task()
def watch_overload() -> int:
    """Every minute: routes over the load threshold long enough -> the situational centre."""
    return len(overload.watch())
