"""What parking publishes. Nothing personal: no plate, no user, no session's owner."""

from __future__ import annotations

from dataclasses import dataclass

from misto.core.events import DomainEvent


@dataclass(frozen=True)
class SessionStarted(DomainEvent):
    session: str  # the session's public id
    zone: str
    lot: str
    online: bool = True  # started through the city's app (the strategy's KPI)


@dataclass(frozen=True)
class SessionStopped(DomainEvent):
    session: str
    zone: str
    lot: str
    reason: str  # resident | sensor | tariff_end | max_stay
    minutes: int
    amount: int  # kopiyky
    paid: bool

