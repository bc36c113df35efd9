"""The directory API at /api/directory/, one router per audience."""

from ninja import Router

from misto.directory.api import machine, public, staff

router = Router()
router.add_router("", public.router)
router.add_router("", staff.router)
router.add_router("", machine.router)
