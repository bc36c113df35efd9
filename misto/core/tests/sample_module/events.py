import os
import time
from dataclasses import dataclass

from misto.core.events import DomainEvent, EventEnvelope, consumes
from misto.core.tests.sample_module.models import Echo


@dataclass(frozen=True)
class SampleHappened(DomainEvent):
    number: int
    fail: bool = False
    slow: float = 0.0


@consumes("sample_module.SampleHappened")
def echo(event: EventEnvelope) -> None:
    if event.payload["fail"]:
        raise RuntimeError(f"sample failure for {event.payload['number']}")
    time.sleep(event.payload["slow"])
    Echo.objects.create(event_id=event.id, number=event.payload["number"],
                        handled_by_pid=os.getpid())
