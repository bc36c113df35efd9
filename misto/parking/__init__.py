"""Parking: zones and lots on the twin, tariffs as data, live free places from the lots'
sensors, sessions that stop when the car's own place reports it free, bookings, residents'
permits and a Parkkihubi-style enforcement check.

A lot and a zone are areas checked by the twin (``misto.twin.geo.parse_area``; the district
from ``misto.twin.district_at``). A place's occupancy comes from its sensor's readings,
handed over by the iot module through ``misto.core.readings`` (``handlers.on_samples``),
never by importing iot. Money goes through ``misto.core.payments.charge`` (the wallet, when
installed), once per session or booking key. Plates are kept in one normal form
(``plates.normalise``); the events carry no plate and no person.

No other module imports this one; it publishes the events in ``events.py``.
docs/parking.md.
"""
