"""Counting, three ways that must agree: the displayed count, the signature rows, and the
public ledger (what anyone can recount), plus the signing activity moderators watch."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count
from django.db.models.functions import TruncHour
from django.utils import timezone

from misto.ledger.reading import entries
from misto.petitions.models import Petition, Signature
from misto.petitions.services.signing import LEDGER_KIND


@dataclass
class Recount:
    displayed: int
    rows: int
    ledger: int
    ledger_entries: int
    duplicates: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    first_index: int | None = None
    last_index: int | None = None

    @property
    def agrees(self) -> bool:
        return (self.displayed == self.rows == self.ledger and not self.duplicates
                and not self.unmatched)


def ledger_tally(number: str) -> tuple[set[str], int, list[str], list[str], int | None,
                                       int | None]:
    """Replay the petition's ledger entries: the signers active at the end."""
    active: set[str] = set()
    duplicates: list[str] = []
    unmatched: list[str] = []
    seen = 0
    first = last = None
    for record in entries(LEDGER_KIND, where={"petition": number}):
        seen += 1
        first = record.index if first is None else first
        last = record.index
        action = record.data.get("action")
        if action == "sign":
            signer = str(record.data.get("signer"))
            if signer in active:
                duplicates.append(signer)
            active.add(signer)
        elif action == "withdraw":
            signer = str(record.data.get("signer"))
            if signer not in active:
                unmatched.append(signer)
            active.discard(signer)
        elif action == "annul":
            for signer in record.data.get("signers") or []:
                if signer not in active:
                    unmatched.append(str(signer))
                active.discard(str(signer))
    return active, seen, duplicates, unmatched, first, last


def recount(petition: Petition) -> Recount:
    petition.refresh_from_db(fields=["signature_count"])
    rows = Signature.objects.filter(Signature.active_q(), petition=petition).count()
    active, seen, duplicates, unmatched, first, last = ledger_tally(petition.number or "")
    return Recount(displayed=petition.signature_count, rows=rows, ledger=len(active),
                   ledger_entries=seen, duplicates=duplicates, unmatched=unmatched,
                   first_index=first, last_index=last)


def signing_activity(petition: Petition, hours: int = 72,
                     now: datetime | None = None) -> list[tuple[datetime, int]]:
    """Signatures per hour over the last ``hours``, every hour listed (an hour without a
    signature is a zero, so a burst stands out against the quiet ones)."""
    end = (now or timezone.now()).replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(hours=hours - 1)
    rows = (Signature.objects.filter(petition=petition, signed_at__gte=start)
            .annotate(hour=TruncHour("signed_at")).values("hour")
            .annotate(n=Count("pk")).order_by("hour"))
    counted = {row["hour"]: row["n"] for row in rows}
    return [(hour, counted.get(hour, 0))
            for hour in (start + timedelta(hours=step) for step in range(hours))]
