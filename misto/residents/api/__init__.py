"""The residents' API, mounted at /api/residents/, one router per audience (Parkkihubi's
``parkings/api/<audience>/``):

- ``public``: anyone checks a register extract by its code (no personal data);
- ``resident``: a signed-in resident's own record (``/me...``);
- ``staff``: look-ups and decisions by role holders, each read of personal data logged.

Handlers are thin: they call ``misto.residents.services`` (the access helpers first) and
raise :class:`~misto.residents.errors.ResidentsError`, which ``misto/api.py`` answers.
"""

from __future__ import annotations

from ninja import Router

from misto.residents.api import public, resident, staff

router = Router(tags=["residents"])
router.add_router("", resident.router)
router.add_router("", staff.router)
router.add_router("", public.router)
