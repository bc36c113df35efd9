"""Which other modules' events the ledger writes into the log, and how.

Consumed (by name; handlers of events whose publisher is not installed never run):
register changes, twin feature changes, report status changes, petition signatures and
tallies, budget and poll votes and tallies, device registry changes. Each becomes one entry
that carries no personal data: the event's name and outbox id, a salted SHA-256 digest of its
payload (salted with the event's random UUID, which stays in the private outbox and is never
published, so a low-entropy payload such as a tax number cannot be guessed from the digest;
whoever holds the outbox row can open it), and the payload's references listed in
``LEDGERED`` below. When the payload names the
acting resident (``user_id``), the resident gets a receipt in the cabinet.
"""

from __future__ import annotations

import uuid
from typing import Any

from misto.core.events import EventEnvelope, consumes
from misto.ledger.canonical import salted_digest
from misto.ledger.services import append

#: Event name -> payload fields copied into the entry. Each must be public already (an id, a
#: status, a tally) or a *hiding* commitment (a hash over at least 128 secret random bits, like
#: ``change`` of a register change, whose salt is in the encrypted register record). Never copy
#: a plain hash of anything a person could guess: the log is public and permanent (issue 13).
#: ``misto/ledger/tests/test_unrecoverable.py`` brute-forces every entry of the demo city.
LEDGERED: dict[str, tuple[str, ...]] = {
    "residents.RegisterChanged": ("action", "change", "version"),
    "twin.FeatureChanged": ("feature_id", "layer", "action", "version"),
    "reports.ReportStatusChanged": ("report_id", "public_id", "previous_status", "status"),
    "petitions.PetitionSigned": ("petition_id", "signatures", "count"),
    "petitions.PetitionTallied": ("petition_id", "signatures", "count", "tally", "status"),
    "budget.VoteCast": ("project_id", "round_id", "votes"),
    "budget.TallyPublished": ("round_id", "tally", "votes", "total"),
    "polls.VoteCast": ("poll_id", "question_id"),
    "polls.TallyPublished": ("poll_id", "tally", "total"),
    "iot.DeviceRegistryChanged": ("device_id", "action", "version", "status"),
}

#: Payload fields that name the acting resident; used only for the receipt (as a keyed hash).
ACTOR_FIELDS = ("user_id", "actor_id")


def event_digest(event: EventEnvelope) -> str:
    """The entry's ``digest``: salted with the event UUID's 16 bytes (random, kept in the
    private outbox and shown only to the resident the entry is a receipt for)."""
    return salted_digest(uuid.UUID(event.uuid).bytes, event.payload)


def _reference(value: Any) -> bool:
    if isinstance(value, bool | int):
        return True
    if isinstance(value, str):
        return len(value) <= 200
    if isinstance(value, dict):  # a tally: {"option": count}
        return len(value) <= 100 and all(
            isinstance(k, str) and len(k) <= 100 and isinstance(v, int) and not isinstance(v, bool)
            for k, v in value.items())
    return False


def entry_payload(event: EventEnvelope) -> dict[str, Any]:
    """The ledger entry for ``event``: references and a salted digest, no personal data."""
    fields = LEDGERED.get(event.name, ())
    refs = {name: event.payload[name] for name in fields
            if name in event.payload and _reference(event.payload[name])}
    return {"event": event.name, "event_id": event.id, "digest": event_digest(event),
            "refs": refs}


@consumes(*LEDGERED)
def ledger_event(event: EventEnvelope) -> None:
    actor = next((event.payload[name] for name in ACTOR_FIELDS
                  if isinstance(event.payload.get(name), int | str)), None)
    append(event.name, entry_payload(event), actor=str(actor) if actor is not None else None)
