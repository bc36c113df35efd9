"""The twin's reactions to events: its own, so that routes follow the streets.

``twin.FeatureChanged`` and ``twin.LayerImported`` on the streets or footpaths layer rebuild
the routing graph now rather than on the next route (a resident looking for a shelter should
not wait for it). Routing checks the layers' signature anyway, so a lost event only delays
the rebuild to the next route.
"""

from __future__ import annotations

from misto.core.events import EventEnvelope, consumes
from misto.twin.services import routing


@consumes("twin.FeatureChanged", "twin.LayerImported")
def on_streets_changed(event: EventEnvelope) -> None:
    if event.payload.get("layer") in routing.ROUTED_LAYERS:
        routing.graph()
