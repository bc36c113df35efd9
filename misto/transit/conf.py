"""The transit module's settings (docs/configuration.md)."""

from __future__ import annotations

from misto.core.config import env_int


def stale_seconds() -> int:
    """A position older than this is not live: off the feeds, the board falls back."""
    return env_int("MISTO_TRANSIT_STALE_SECONDS", 90, minimum=10)


def overload_percent() -> int:
    """A route is overloaded when its vehicles' mean load is at least this share of capacity."""
    return env_int("MISTO_TRANSIT_OVERLOAD_PERCENT", 85, minimum=1)


def overload_minutes() -> int:
    """... for at least this many minutes."""
    return env_int("MISTO_TRANSIT_OVERLOAD_MINUTES", 5, minimum=0)


def max_speed_kmh() -> int:
    """A fix implying a faster move from the vehicle's last one is a jump (dead-lettered)."""
    return env_int("MISTO_TRANSIT_MAX_SPEED_KMH", 120, minimum=10)
