"""The fleet API at /api/fleet/: staff only (dispatchers, field staff, IT). Trackers speak
the OsmAnd protocol at /fleet/osmand (views.py) or reach the fleet through the IoT platform."""

from ninja import Router

from misto.fleet.api import staff

router = Router()
router.add_router("", staff.router)
