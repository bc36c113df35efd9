"""The transit module's services, one file per concept:

- ``feeds``: GTFS static import (all or nothing) and export;
- ``timetable``: the current timetable in memory for the hot path;
- ``positions``: trackers, fixes checked and dead-lettered, trip matching, stops passed;
- ``predictions``: arrival predictions and their measured accuracy (ETA Accuracy Benchmark);
- ``occupancy``: free seats and GTFS-RT occupancy;
- ``boards``: a stop's next arrivals, live and scheduled;
- ``realtime``: GTFS-Realtime feeds;
- ``overload``: overloaded routes for the situational centre;
- ``alerts``: service alerts;
- ``favourites``: a resident's stops;
- ``housekeeping``: what is kept only for a while;
- ``flows``: passenger flows per stop, route and hour.
"""

from misto.transit.services import (
    alerts,
    boards,
    favourites,
    feeds,
    flows,
    housekeeping,
    occupancy,
    overload,
    positions,
    predictions,
    realtime,
    timetable,
)

__all__ = ["alerts", "boards", "favourites", "feeds", "flows", "housekeeping", "occupancy",
           "overload", "positions", "predictions", "realtime", "timetable"]
