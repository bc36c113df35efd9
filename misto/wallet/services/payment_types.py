"""What a payment provider adapter implements, and what it reads from a callback."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from misto.wallet.models import TopUp


@dataclass(frozen=True)
class Callback:
    order_id: UUID
    status: str  # "success", "failure", or "pending" (not settled yet: nothing changes)
    amount: int  # kopiyky
    payment_id: str


class PaymentProvider(Protocol):
    code: str

    def configured(self) -> bool:
        """Whether the city has set it up (its keys); an unconfigured one is not offered."""

    def checkout(self, topup: TopUp) -> str:
        """Where the payer goes to pay ``topup`` (a URL)."""

    def parse_callback(self, data: str, signature: str) -> Callback:
        """The callback's content, if its signature is the provider's; else WalletError."""
