"""The index API at /api/index/: public reading, staff changes (one router each)."""

from ninja import Router

from misto.index.api import public, staff

router = Router()
router.add_router("", staff.router)
router.add_router("", public.router)
