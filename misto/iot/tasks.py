"""Periodic jobs of the IoT module (scheduled in apps.py); each calls one service."""

from __future__ import annotations

from misto.core.tasks import task
from misto.iot import services


@task()
def detect_offline() -> int:
    return services.detect_offline()


@task()
def refresh_aggregates() -> int:
    return services.refresh_aggregates()


@task()
def apply_retention() -> int:
    return services.apply_retention()


@task()
def ensure_partitions() -> int:
    return services.ensure_partitions()
