"""How the transit module reacts to other modules' events (docs/events.md).

``notifications.AnnouncementPublished`` on the "traffic" topic (the city's transport
announcements: detours, suspended lines) becomes a GTFS-Realtime service alert for the whole
network, for a day unless a dispatcher ends it sooner. Once per announcement.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from misto.core.events import EventEnvelope, consumes
from misto.transit.models import Alert
from misto.transit.services import alerts

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
