"""The module's knobs, read from the environment (or a Django setting of the same name).

Read at call time, so tests and operators can change them without a restart of Django's
settings machinery. Every knob is listed in docs/notifications.md.
"""

from __future__ import annotations

from django.db import connection

from misto.core.config import env_float, env_int, env_str
from misto.core.config import public_url as public_url  # the site's origin, for links

DEFAULT_RATES = {"email": 600, "push": 1200, "sms": 60, "telegram": 1200, "viber": 600}


def chunk_size() -> int:
    """Width of one fan-out chunk in user ids (one transaction each)."""
    return env_int("MISTO_NOTIFY_CHUNK", 50000, minimum=1)


def chunk_pause() -> float:
    """Seconds to rest between fan-out chunks (spreads the load on a busy database)."""
    return env_float("MISTO_NOTIFY_CHUNK_PAUSE", 0.0, minimum=0.0)


def poll_seconds() -> float:
    return env_float("MISTO_NOTIFY_POLL_SECONDS", 1.0, minimum=0.05)


def max_attempts() -> int:
    return env_int("MISTO_NOTIFY_MAX_ATTEMPTS", 6, minimum=1)


def rate_per_minute(channel: str) -> int:
    """How many messages a channel may send per minute (provider limits, anti-flood)."""
    return env_int(f"MISTO_NOTIFY_RATE_{channel.upper()}", DEFAULT_RATES.get(channel, 600),
                   minimum=1)


def gateway_path(channel: str) -> str:
    return env_str(f"MISTO_NOTIFY_GATEWAY_{channel.upper()}",
                   "misto.notifications.gateways.LogGateway")


def fanout_workers() -> int:
    """Parallel workers per fan-out in the runner (threads, each its own connection).

    Default 2 on PostgreSQL, 1 on SpatiaLite (one writer at a time anyway)."""
    default = 2 if connection.vendor == "postgresql" else 1
    return env_int("MISTO_NOTIFY_WORKERS", default, minimum=1)
