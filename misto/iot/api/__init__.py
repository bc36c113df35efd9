"""The IoT HTTP API at ``/api/iot/``, by audience: :mod:`.public` (devices and readings,
open data), :mod:`.staff` (the refused messages) and :mod:`.machine` (devices' and
gateways' readings; the LoRaWAN webhooks at ``/iot/webhooks/``). NGSI-LD is its own API at
``/ngsi-ld/v1/`` (:mod:`misto.iot.ngsi.api`).

Errors are JSON ``{"error": <code>, "detail": <reason>}`` with a 4xx status: handlers raise
``IotError`` or ``Rejected`` (codes in :mod:`misto.iot.errors`) and ``misto/api.py``
answers. Every route declares 400: the site's middleware refuses a NUL byte in any query
or path with it, before the route is reached.
"""

from ninja import Router

from misto.iot.api import machine, public, staff

router = Router(tags=["iot"])
router.add_router("", public.router)
router.add_router("", staff.router)
router.add_router("", machine.router)
