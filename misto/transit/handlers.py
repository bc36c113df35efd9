"""How the transit module reacts to other modules' events (docs/events.md).

``notifications.AnnouncementPublished`` on the "traffic" topic (the city's transport
announcements: detours, suspended lines) becomes a GTFS-Realtime service alert for the whole
network, for a day unless a dispatcher ends it sooner. Once per announcement.

``wallet.RideValidated`` is one boarding on the vehicle the validator is on (its load and
the passenger flows; ``services.onboard``), once per event.

The readings of the buses' trackers and passenger counters come through the core's readings
contract (``reading_sinks`` in apps.py): :func:`on_samples`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.utils import timezone

from misto.core.events import EventEnvelope, consumes
from misto.core.readings import Sample
from misto.transit.models import Alert
from misto.transit.services import alerts, onboard

TRANSPORT_TOPIC = "traffic"
ANNOUNCED_FOR = timedelta(days=1)


@consumes("notifications.AnnouncementPublished")
def on_announcement(event: EventEnvelope) -> None:
    payload = event.payload
    if TRANSPORT_TOPIC not in (payload.get("topics") or []):
        return
    source_id = str(payload.get("announcement_id", ""))
    if Alert.objects.filter(source="notifications", source_id=source_id).exists():
        return
    now = timezone.now()
    alerts.do_announce(alerts.AlertIn(header=str(payload.get("title", ""))[:200] or "—",
                                      starts_at=now, ends_at=now + ANNOUNCED_FOR),
                       source="notifications", source_id=source_id)


@consumes("wallet.RideValidated")
def on_ride_validated(event: EventEnvelope) -> None:
    payload = event.payload
    try:
        at = datetime.fromisoformat(str(payload.get("at", "")))
    except ValueError:
        return  # not a time: nothing to count (the wallet always sends one)
    if at.tzinfo is None:
        return
    onboard.on_validation(event.uuid, str(payload.get("validator", ""))[:64], at)


def on_samples(samples: Sequence[Sample]) -> None:
    onboard.on_samples(samples)
