"""How the petitions module reacts to other events: a change of the city's calendar moves
every running answer clock (``misto.core.workdays``)."""

from __future__ import annotations

from misto.core.events import EventEnvelope, consumes
from misto.petitions import services


@consumes("core.CalendarChanged")
def calendar_changed(event: EventEnvelope) -> None:
    services.recompute_deadlines()
