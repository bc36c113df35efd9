"""The parking API at /api/parking/, one router per audience."""

from ninja import Router

from misto.parking.api import enforcement, public, resident, staff

router = Router()
router.add_router("", public.router)
router.add_router("", resident.router)
router.add_router("", enforcement.router)
router.add_router("", staff.router)
