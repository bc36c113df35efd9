"""What the wallet publishes. Nothing personal: no user, account or card ids."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

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


@dataclass(frozen=True)
class DailyTotals(DomainEvent):
    """A closed local day's totals, in kopiyky, anchored in the public ledger: anyone can
    later check the city's published figures against them. Tallies only, nothing personal."""

    ledgered: ClassVar[tuple[str, ...]] = ("day", "topups", "fares", "passes", "services",
                                           "corrections", "transfers", "imbalance")
    day: str  # ISO date
    topups: int
    fares: int
    passes: int
    services: int
    corrections: int
    transfers: int
    imbalance: int  # the day's postings summed (0 when every transfer balanced)
