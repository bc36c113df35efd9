"""Public transport live: GTFS in and out, vehicle positions, arrival predictions with their
measured accuracy, GTFS-Realtime, stop boards (docs/transit.md).

Other modules talk to it through its events (``misto.transit.events``:
``transit.FeedImported``, ``transit.RouteOverloaded``). Public functions other modules may
call: none; everything is public through ``/api/transit/``, GTFS, GTFS-Realtime and the
OneBusAway-shaped ``/api/where/`` path.
"""
