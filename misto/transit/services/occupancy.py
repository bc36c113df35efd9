"""How full a vehicle is, in GTFS-Realtime's words and in free seats."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

STATUS_LABELS = {
    "EMPTY": _("empty"),
    "MANY_SEATS_AVAILABLE": _("many seats free"),
    "FEW_SEATS_AVAILABLE": _("few seats free"),
    "STANDING_ROOM_ONLY": _("standing room only"),
    "CRUSHED_STANDING_ROOM_ONLY": _("crowded"),
    "FULL": _("full"),
    "NO_DATA_AVAILABLE": _("no data"),
}


@dataclass(frozen=True)
class Load:
    passengers: int | None
    free_seats: int | None
    percent: int | None
    status: str

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self.status])


def load(passengers: int | None, seats: int, capacity: int) -> Load:
    """Seats free and the GTFS-RT ``OccupancyStatus``: more than half the seats free is
    "many", any seat free "few", then standing room until 90 % of the capacity (seated and
    standing), "crushed" to 100 %, then full."""
    if passengers is None:
        return Load(None, None, None, "NO_DATA_AVAILABLE")
    capacity = max(capacity, seats, 1)
    free = max(0, seats - passengers)
    percent = min(200, math.floor(100 * passengers / capacity + 0.5))
    if passengers == 0:
        status = "EMPTY"
    elif free * 2 > seats:
        status = "MANY_SEATS_AVAILABLE"
    elif free > 0:
        status = "FEW_SEATS_AVAILABLE"
    elif percent < 90:
        status = "STANDING_ROOM_ONLY"
    elif percent < 100:
        status = "CRUSHED_STANDING_ROOM_ONLY"
    else:
        status = "FULL"
    return Load(passengers, free, percent, status)
