"""The transit module's background work."""

from __future__ import annotations

from misto.core.tasks import task
from misto.transit.services import overload


@task()
def watch_overload() -> int:
    """Every minute: routes over the load threshold long enough -> the situational centre."""
    return len(overload.watch())
