"""What the sample module publishes: its contract, importing nothing but the core's events."""

from dataclasses import dataclass

from misto.core.events import DomainEvent


@dataclass(frozen=True)
class SampleHappened(DomainEvent):
    number: int
    fail: bool = False
    slow: float = 0.0
