"""The wallet API at /api/wallet/, one router per audience."""

from ninja import Router

from misto.wallet.api import machine, public, resident, staff

router = Router()
router.add_router("", resident.router)
router.add_router("", staff.router)
router.add_router("", machine.router)
router.add_router("", public.router)
