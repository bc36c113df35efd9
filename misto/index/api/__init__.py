"""The index API at /api/index/: public reading and staff changes, declared per audience
(``misto.core.audience``: ``GET /reports`` is public, ``POST /reports`` staff, one path)."""

from ninja import Router

from misto.index.api import public, staff

router = Router(tags=["index"])
for audience in (staff.routes, public.routes):
    audience.mount_on(router)
