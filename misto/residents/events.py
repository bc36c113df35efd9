"""Events of the residents module (docs/events.md).

Published: ``residents.RegisterChanged`` when a person of the register is created or
changed; the payload holds no personal data, only an opaque keyed reference. Consumed: none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from misto.core.events import DomainEvent


@dataclass(frozen=True)
class RegisterChanged(DomainEvent):
    # Fields copied into the public ledger (misto.ledger): public references only.
    ledgered: ClassVar[tuple[str, ...]] = ("action", "change", "version")
    person_ref: str  # HMAC of the person's uuid under the blind-index key
    action: str  # created / changed / corrected / linked / benefit_added
    change: str  # SHA-256 of the salted change record: a commitment, opened by PersonChange
    version: int
    user_id: int | None  # the resident's own account when they acted, else None
