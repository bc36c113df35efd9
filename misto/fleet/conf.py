"""The fleet module's settings (docs/configuration.md)."""

from __future__ import annotations

from misto.core.config import env_int


def moving_kmh() -> int:
    """At or above this speed a vehicle without an ignition input is on a trip."""
    return env_int("MISTO_FLEET_MOVING_KMH", 5, minimum=1)


def stop_minutes() -> int:
    """A trip ends after the vehicle stood (or its ignition was off) this long."""
    return env_int("MISTO_FLEET_STOP_MINUTES", 5, minimum=1)


def fuel_event_litres() -> int:
    """A change of the filtered fuel level at least this large is a refuel or a drain."""
    return env_int("MISTO_FLEET_FUEL_EVENT_LITRES", 8, minimum=1)


def max_speed_kmh() -> int:
    """A fix implying a faster move from the vehicle's last one is a jump (refused)."""
    return env_int("MISTO_FLEET_MAX_SPEED_KMH", 180, minimum=10)
