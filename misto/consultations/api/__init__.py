"""The consultations API at /api/consultations/, declared per audience (``public``,
``resident``, ``staff``) and mounted on one router: the public ``GET /polls`` and the staff
``POST /polls`` share a path (``misto.core.audience``).

The ballot itself is cast on the public routes with no sign-in: the blind-signed token is
the right to vote, and a sign-in would name the voter.
"""

from ninja import Router

from misto.consultations.api import public, resident, staff

router = Router(tags=["consultations"])
for audience in (public.routes, resident.routes, staff.routes):
    audience.mount_on(router)
