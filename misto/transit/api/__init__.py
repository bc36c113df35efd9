"""The transit API at /api/transit/, one router per audience. The standards keep their own
paths (views.py, feeds_urls.py): GTFS at /gtfs/feed.zip, GTFS-Realtime at /gtfs-rt/, the
OneBusAway-shaped /api/where/ and the Traccar/OsmAnd /transit/osmand."""

from ninja import Router

from misto.transit.api import machine, public, staff

router = Router()
router.add_router("", public.router)
router.add_router("", staff.router)
router.add_router("", machine.router)
