"""Parking's knobs (docs/configuration.md), read when used."""

from __future__ import annotations

from misto.core.config import env_int, env_str


def grace_minutes() -> int:
    """How long after a session ends the enforcement check still says "expired" with the
    end time, rather than "no session" (Parkkihubi keeps 15 minutes)."""
    return env_int("MISTO_PARKING_GRACE_MINUTES", 15, minimum=0)


def bind_minutes() -> int:
    """How recently a sensed place must have been taken to be the new session's place."""
    return env_int("MISTO_PARKING_BIND_MINUTES", 30, minimum=1)


def max_hours() -> int:
    """The longest session where the tariff sets no longest stay."""
    return env_int("MISTO_PARKING_MAX_HOURS", 24, minimum=1)


def permit_days() -> int:
    return env_int("MISTO_PARKING_PERMIT_DAYS", 365, minimum=1)


def booking_max_hours() -> int:
    return env_int("MISTO_PARKING_BOOKING_MAX_HOURS", 12, minimum=1)


def booking_cancel_minutes() -> int:
    """Until how long before its start a booking may be cancelled (and refunded in full)."""
    return env_int("MISTO_PARKING_BOOKING_CANCEL_MINUTES", 30, minimum=0)


def near_metres() -> int:
    """How far from the phone lots are proposed."""
    return env_int("MISTO_PARKING_NEAR_METRES", 2000, minimum=50)


def department() -> str:
    """The department code of parking inspectors' assignments (docs/parking.md)."""
    return env_str("MISTO_PARKING_DEPARTMENT", "parking")
