"""How the notifications module reacts to other modules' events (docs/events.md).

``situation.EmergencyDeclared`` / ``situation.EmergencyEnded``: an urgent announcement to the
emergency's area on every channel, the site-wide banner and the public emergency page
(``emergencies.py``). Inline: the banner should be up the moment the dispatcher declares;
the outbox worker still delivers them if the publishing process dies first, and a
redelivery sends nothing twice.

(The older reactions to ``reports.ReportStatusChanged`` and ``iot.ReadingOutOfRange`` are
still in ``events.py``.)
"""

from __future__ import annotations

from misto.core.events import EventEnvelope, consumes
from misto.notifications import emergencies


@consumes("situation.EmergencyDeclared", inline=True)
def emergency_declared(event: EventEnvelope) -> None:
    emergencies.announce_declared(emergencies.read_declared(event.payload))


@consumes("situation.EmergencyEnded", inline=True)
def emergency_ended(event: EventEnvelope) -> None:
    emergencies.announce_ended(emergencies.read_ended(event.payload))
