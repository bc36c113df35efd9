"""The situation centre's HTTP API, mounted at /api/situation/, one router per audience:

- :mod:`.staff`: the city's picture for staff who watch it (``situation.incident.view``,
  declared once on the router): the map's incidents, devices and outages, changes, the
  dashboard, kinds, crews and emergencies.
- :mod:`.crew`: an incident and its progress, for the crew assigned to it and dispatchers.
- :mod:`.dispatch`: assigning incidents and declaring and ending emergencies.

Thin: handlers call ``services``; an object is reached only through its
``services.access_<object>`` (a hidden one answers as a missing one, 404). Errors are JSON
``{"error": <code>, "detail": <reason>}``: handlers raise ``SituationError`` (codes in
``misto.situation.errors``), ``misto/api.py`` answers. Every route declares its answers.
"""

from ninja import Router

from misto.situation.api import crew, dispatch, staff

router = Router(tags=["situation"])
router.add_router("", staff.router)
router.add_router("", crew.router)
router.add_router("", dispatch.router)

__all__ = ["router"]
