"""The e-reception API at /api/appeals/, one router per audience (fixed paths first, so
``/queue`` or ``/mine`` is never read as an appeal number)."""

from ninja import Router

from misto.appeals.api import public, resident, staff

router = Router()
router.add_router("", public.router)
router.add_router("", staff.router)
router.add_router("", resident.router)
