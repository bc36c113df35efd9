"""How the reports module reacts to other modules' events (docs/events.md).

``situation.IncidentResolved``: the situational centre closed an incident, so the reports it
was built from are resolved and their authors told.
"""

from __future__ import annotations

from misto.core.events import EventEnvelope, consumes
from misto.reports import services


@consumes("situation.IncidentResolved")
def resolve_linked_reports(event: EventEnvelope) -> None:
    """The situational centre closed an incident: resolve the reports it came from."""
    sources = event.payload.get("sources") or []
    ids = [source.get("id") for source in sources
           if isinstance(source, dict) and source.get("module") == "reports"]
    services.resolve_from_incident(ids, str(event.payload.get("note") or ""))
