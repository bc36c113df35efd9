"""The reports' JSON API at ``/api/reports/``, one router per audience.

Today every route is a public read (``public``: the map, a report, nearby reports, the
categories). Staff work on reports in the pages and third-party apps post through Open311
(``misto.reports.open311``, the machine audience in the spec's own format), so there is no
resident, staff or machine router here yet; a new audience gets its own file and is added
below with the permission it needs declared once on its router.
"""

from ninja import Router

from misto.reports.api import public

router = Router(tags=["reports"])
router.add_router("", public.router)
