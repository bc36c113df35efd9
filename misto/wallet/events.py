"""What the wallet publishes. Nothing personal: no user, account or card ids."""

from __future__ import annotations

from dataclasses import dataclass

from misto.core.events import DomainEvent


@dataclass(frozen=True)
class TopUpCompleted(DomainEvent):
    amount: int  # kopiyky
    provider: str


@dataclass(frozen=True)
class PassSold(DomainEvent):
    product: str
    price: int  # kopiyky


@dataclass(frozen=True)
class RideValidated(DomainEvent):
    """One validated ride (a tap): what transit's occupancy and passenger flows count."""

    validator: str
    at: str  # ISO-8601 tap time
    charged: int  # kopiyky
    basis: str  # fare | capped | pass | benefit | unpaid
