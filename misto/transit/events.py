"""What the transit module publishes (its contract; docs/events.md). Nothing personal: routes,
vehicles' fleet numbers and counts only.

- ``transit.FeedImported``: a GTFS feed replaced the timetable.
- ``transit.RouteOverloaded``: a route's vehicles have run fuller than the threshold for the
  configured minutes (``cleared`` false), or have come back under it (``cleared`` true); once
  per episode, for the situational centre.
"""

from __future__ import annotations

from dataclasses import dataclass

from misto.core.events import DomainEvent


@dataclass(frozen=True)
class FeedImported(DomainEvent):
    feed_id: int
    name: str
    sha256: str
    stops: int
    routes: int
    trips: int


@dataclass(frozen=True)
class RouteOverloaded(DomainEvent):
    route_id: str
    route_name: str
    occupancy_percent: int
    vehicles: int
    since: str
    cleared: bool
    lon: float | None = None
    lat: float | None = None
