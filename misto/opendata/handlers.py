"""How the portal reacts to the other modules' events: an event a dataset's declaration
names (``OpenDataset.stale_on``) marks that dataset stale and queues the task that
regenerates the stale datasets; the hourly regeneration is the backstop (a lost task, a
dataset no event covers)."""

from __future__ import annotations

from misto.core.events import EventEnvelope, consumes
from misto.opendata import services


def dataset_changed(event: EventEnvelope) -> None:
    if services.mark_stale(event.name):
        from misto.opendata.tasks import regenerate_stale

        regenerate_stale.enqueue()


# One handler per event some installed module's dataset names (known once the apps are).
_EVENTS = sorted(services.stale_on())
if _EVENTS:
    consumes(*_EVENTS)(dataset_changed)
