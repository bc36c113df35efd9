"""Readiness checks: the database and every broker this installation is configured for."""

from __future__ import annotations

import socket
from collections.abc import Callable
from urllib.parse import urlparse

from django.conf import settings
from django.db import connection


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def check_mqtt() -> None:
    url = urlparse(settings.MQTT_URL)
    with socket.create_connection((url.hostname or "127.0.0.1", url.port or 1883), timeout=2):
        pass


def check_redis() -> None:
    import redis

    redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping()


def check_events() -> None:
    from misto.core.transport import get_transport

    get_transport().check()


def configured_checks() -> dict[str, Callable[[], None]]:
    checks: dict[str, Callable[[], None]] = {"database": check_database}
    if settings.MQTT_URL:
        checks["mqtt"] = check_mqtt
    if settings.REDIS_URL:
        checks["redis"] = check_redis
    if settings.EVENTS_TRANSPORT != "database":
        checks["events"] = check_events
    return checks


def readiness() -> tuple[bool, dict[str, str]]:
    results: dict[str, str] = {}
    for name, check in configured_checks().items():
        try:
            check()
        except Exception as error:  # any failure means "not ready", with the reason
            results[name] = f"error: {error}"
        else:
            results[name] = "ok"
    return all(value == "ok" for value in results.values()), results
