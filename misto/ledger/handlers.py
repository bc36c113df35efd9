"""Other modules' events the ledger writes into the log: those their publishers declare.

A module asks for one of its events to be ledgered in its own ``events.py``, on the event
class, naming the payload fields the public entry may carry::

    @dataclass(frozen=True)
    class FeatureChanged(DomainEvent):
        ledgered: ClassVar[tuple[str, ...]] = ("feature_id", "layer", "action", "version")
        ...

The ledger knows no module by name: when it loads, it reads the declarations of every
installed module's events (a module that is not installed declares nothing) and consumes
those events. Each becomes one entry that carries no personal data: the event's name and
outbox id, a salted SHA-256 digest of its payload (salted with the event's random UUID, which
stays in the private outbox and is never published, so a low-entropy payload such as a tax
number cannot be guessed from the digest; whoever holds the outbox row can open it), and the
declared fields, each only when it is a short reference (see :func:`_reference`). When the
payload names the acting resident (``user_id``), the resident gets a receipt in the cabinet.

A declared field must be public already (an id, a status, a tally) or a *hiding* commitment
(a hash over at least 128 secret random bits, like ``change`` of a register change, whose salt
is in the encrypted register record); never a plain hash of anything a person could guess: the
log is public and permanent (issue 13). ``misto/ledger/tests/test_unrecoverable.py``
brute-forces every entry of the demo city; a declaration naming a field the event does not
have, or an actor field, stops Misto from starting.
"""

from __future__ import annotations

import dataclasses
import importlib
import uuid
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from misto.core.events import EventEnvelope, consumes, event_type, events_published_by
from misto.core.registry import modules
from misto.ledger.canonical import salted_digest
from misto.ledger.services import append

#: Payload fields that name the acting resident; used only for the receipt (as a keyed hash),
#: so no declaration may copy them into the public entry.
ACTOR_FIELDS = ("user_id", "actor_id")


def declared_fields(event_name: str) -> tuple[str, ...]:
    """The fields ``event_name``'s publisher declared for the ledger (empty: not ledgered)."""
    cls = event_type(event_name)
    return tuple(cls.ledgered) if cls is not None else ()


def _check_declaration(event_name: str, fields: tuple[str, ...]) -> None:
    cls = event_type(event_name)
    assert cls is not None
    known: set[str] = {field.name for field in dataclasses.fields(cls)} \
        if dataclasses.is_dataclass(cls) else set()
    wrong = [name for name in fields if name not in known or name in ACTOR_FIELDS]
    if wrong:
        raise ImproperlyConfigured(
            f"{event_name}.ledgered names {', '.join(wrong)}: each must be a field of the event "
            f"and none may name the acting resident ({', '.join(ACTOR_FIELDS)})")


def ledgered_events() -> dict[str, tuple[str, ...]]:
    """Every installed module's ledgered events: event name -> declared fields."""
    found: dict[str, tuple[str, ...]] = {}
    for config in modules():
        try:
            # Leaves that import only misto.core.events: safe to load from ready().
            importlib.import_module(f"{config.name}.events")
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.events":
                raise
        for name in events_published_by(config.name):
            fields = declared_fields(name)
            if fields:
                _check_declaration(name, fields)
                found[name] = fields
    return found


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
    refs = {name: event.payload[name] for name in declared_fields(event.name)
            if name in event.payload and _reference(event.payload[name])}
    return {"event": event.name, "event_id": event.id, "digest": event_digest(event),
            "refs": refs}


def ledger_event(event: EventEnvelope) -> None:
    actor = next((event.payload[name] for name in ACTOR_FIELDS
                  if isinstance(event.payload.get(name), int | str)), None)
    append(event.name, entry_payload(event), actor=str(actor) if actor is not None else None)


#: Read once, when the ledger loads (``MistoModule.ready`` imports this file).
LEDGERED = ledgered_events()
# Several names give each handler the id ``ledger.ledger_event[<event>]``, which deliveries
# waiting in the outbox already carry.
consumes(*sorted(LEDGERED))(ledger_event)
