"""Periodic jobs of the IoT module (scheduled in apps.py); each calls one service."""

from __future__ import annotations

from misto.core.tasks import task


@task()
def detect_offline() -> int:
    from misto.iot.services import detect_offline as run

    return run()


@task()
def refresh_aggregates() -> int:
    from misto.iot.services import refresh_aggregates as run

    return run()


@task()
def apply_retention() -> int:
    from misto.iot.services import apply_retention as run

    return run()


@task()
def ensure_partitions() -> int:
    from misto.iot.services import ensure_partitions as run

    return run()
