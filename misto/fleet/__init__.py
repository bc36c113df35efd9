"""The municipal fleet: utility vehicles with GPS trackers and fuel-level sensors.

Trackers and fuel sensors are IoT devices; their readings arrive through the core's readings
contract (``misto.core.readings``, declared in ``apps.py``) or over Traccar's OsmAnd HTTP
protocol. From them: trips, distance, fuel used per 100 km, refuels and drains as events
(``fleet.RefuelDetected``, ``fleet.FuelDrainDetected``) and the e-waybill (form No. 3).
docs/fleet.md.
"""
