"""How the e-reception reacts to other events: a change of the city's calendar moves every
running deadline (``misto.core.workdays``)."""

from __future__ import annotations

from misto.appeals import services
from misto.core.events import EventEnvelope, consumes


@consumes("core.CalendarChanged")
def calendar_changed(event: EventEnvelope) -> None:
    services.recompute_deadlines()
