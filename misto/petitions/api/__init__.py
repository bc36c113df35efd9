"""The petitions API at /api/petitions/, one router per audience.

Fixed paths come before ``/{number}`` (the resident's and the staff's routers are mounted
first), so ``/mine`` or ``/moderation`` is never read as a petition number.
"""

from ninja import Router

from misto.petitions.api import public, resident, staff

router = Router()
router.add_router("", resident.router)
router.add_router("", staff.router)
router.add_router("", public.router)
