"""How the sample module reacts to events: it echoes its own into a table (to watch delivery)."""

import os
import time

from misto.core.events import EventEnvelope, consumes
from misto.core.tests.sample_module.models import Echo


@consumes("sample_module.SampleHappened")
def echo(event: EventEnvelope) -> None:
    if event.payload["fail"]:
        raise RuntimeError(f"sample failure for {event.payload['number']}")
    time.sleep(event.payload["slow"])
    Echo.objects.create(event_id=event.id, number=event.payload["number"],
                        handled_by_pid=os.getpid())
