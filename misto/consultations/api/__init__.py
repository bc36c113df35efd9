"""The consultations API at /api/consultations/, one router per audience.

The ballot itself is cast on the public router with no sign-in: the blind-signed token is
the right to vote, and a sign-in would name the voter.
"""

from ninja import Router

from misto.consultations.api import public, resident, staff

router = Router()
router.add_router("", resident.router)
router.add_router("", staff.router)
router.add_router("", public.router)
