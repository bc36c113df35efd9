"""Nothing personal can be recovered from the public ledger by guessing.

The ledger is append-only and public: a digest of personal data that someone can recompute
from what they already know (a name, a birth date, an address) gives away the rest (the tax
number) forever. This test loads the whole demo city, delivers its events into the ledger and
then plays the attacker: it knows every demo person's data (``misto.residents.demo`` prints
the names, birth dates and even the tax numbers), tries every tax number a birth date allows,
rebuilds every register record the way ``misto.residents`` writes it, holds every ledgered
event's payload (everything but the private salt), and hashes all of it with the usual
functions. None of those guesses may equal any value in any ledger entry.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from misto.core import outbox
from misto.core.models import OutboxEvent
from misto.ledger import services as ledger
from misto.ledger.canonical import canonical_json
from misto.ledger.handlers import LEDGERED
from misto.ledger.models import LedgerEntry
from misto.residents import rnokpp as rnokpp_rules
from misto.residents import services as residents
from misto.residents.models import Person, PersonChange
from misto.residents.services import PERSONAL_FIELDS, parse_date, snapshot
from misto.twin.models import Feature
from misto.twin.services import retire_feature

HASHES = (hashlib.sha256, hashlib.sha1, hashlib.md5, hashlib.sha512, hashlib.blake2b)


def rnokpp_candidates(person: Person) -> Iterator[str]:
    """Every valid tax number of the person's birth date and sex digit parity: the first five
    digits are the birth date, the check digit is fixed, so about 5,000 guesses."""
    days = (parse_date(person.birth_date) - rnokpp_rules.EPOCH).days
    parity = int(person.rnokpp[8]) % 2  # an attacker knows the person's sex
    for middle in range(10_000):
        if middle % 2 != parity:
            continue
        first_nine = f"{days:05d}{middle:04d}"
        yield first_nine + str(rnokpp_rules.check_digit(first_nine))


def register_records(person: Person, change: PersonChange) -> Iterator[tuple[str, str]]:
    """The change record as ``misto.residents.services._record`` serialises it, for every
    candidate tax number (the metadata — action, fields, basis, version — is public code and
    the demo's basis text; the state is the person's known data)."""
    state = snapshot(person)
    at_creation = {**state, "benefits": [], "household": []}
    variants = [state] if state == at_creation else [state, at_creation]
    for candidate in rnokpp_candidates(person):
        for variant in variants:
            record = json.dumps({"action": change.action, "fields": change.fields,
                                 "basis": change.basis, "state": {**variant, "rnokpp": candidate},
                                 "version": change.version}, sort_keys=True, ensure_ascii=False)
            yield f"register record of {person.full_name} with RNOKPP {candidate}", record


def known_values(person: Person) -> Iterator[tuple[str, str]]:
    for name in PERSONAL_FIELDS:
        value = str(getattr(person, name) or "")
        if value:
            yield f"{name} of {person.full_name}", value
    yield f"full name of {person.full_name}", person.full_name
    yield f"uuid of {person.full_name}", str(person.uuid)
    for candidate in rnokpp_candidates(person):
        yield f"RNOKPP {candidate}", candidate


def payload_texts(event: OutboxEvent) -> Iterator[tuple[str, str]]:
    """What the attacker makes of an event they hold entirely, except its private salt."""
    label = f"payload of {event.name} #{event.pk}"
    yield label, canonical_json(event.payload)
    yield label, json.dumps(event.payload, sort_keys=True)
    yield label, json.dumps(event.payload, sort_keys=True, ensure_ascii=False)
    for key, value in event.payload.items():
        if isinstance(value, str | int) and not isinstance(value, bool):
            yield f"{key} of {event.name} #{event.pk}", str(value)


def guesses() -> Iterator[tuple[str, str]]:
    """(what was guessed, its text) over everything the attacker knows of the demo."""
    for person in Person.objects.order_by("pk"):
        yield from known_values(person)
        for change in PersonChange.objects.filter(person=person).order_by("version"):
            yield from register_records(person, change)
    for event in OutboxEvent.objects.filter(name__in=LEDGERED).order_by("pk"):
        yield from payload_texts(event)


def recover(ledgered: set[str], candidates: Iterable[tuple[str, str]]) -> list[str]:
    """The guesses whose digest (hex, any of ``HASHES``) appears among ``ledgered``."""
    found = []
    for label, text in candidates:
        data = text.encode("utf-8")
        for algorithm in HASHES:
            if algorithm(data).hexdigest() in ledgered:
                found.append(f"{label} ({algorithm().name})")
    return found


def ledgered_strings() -> set[str]:
    """Every string and number anywhere in the public entries (digests, references, ...)."""
    values: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif value is not None:
            values.add(str(value).lower())

    for payload in LedgerEntry.objects.values_list("payload", flat=True):
        walk(json.loads(payload))
    return values


def deliver_everything() -> None:
    while outbox.deliver_due(limit=5000):
        pass


@pytest.mark.slow
def test_no_ledger_entry_of_the_demo_city_can_be_recovered_by_guessing(demo: None) -> None:
    # Beyond the demo: a resident links their account (a receipt), a clerk changes a person,
    # an editor retires a twin feature, so every installed ledgered event type is present.
    first, second = Person.objects.order_by("pk")[:2]
    resident = get_user_model().objects.create_user("resident-of-the-demo")
    residents.link_account(first, resident, basis="BankID")
    residents.change_person(second, {"phone": "+380501112233"}, by=None, basis="заява")
    feature = Feature.objects.order_by("pk").first()
    assert feature is not None
    retire_feature(feature.pk, reason="demolished")
    deliver_everything()
    kinds = set(LedgerEntry.objects.values_list("kind", flat=True))
    assert kinds == {"residents.RegisterChanged", "iot.DeviceRegistryChanged",
                     "reports.ReportStatusChanged", "twin.FeatureChanged",
                     # petitions: each signature in the signing transaction, and milestones
                     "petitions.signature", "petitions.PetitionOpened",
                     "petitions.PetitionThresholdReached", "petitions.PetitionClosed",
                     "petitions.PetitionAnswered",
                     # budget: review outcomes, phases, each secret ballot and the results
                     "budget.ProjectReviewed", "budget.RoundPhaseChanged", "budget.ballot",
                     "budget.result",
                     # consultations: polls opened and closed, each ballot, the counts, reports
                     "consultations.PollOpened", "consultations.PollClosed",
                     "consultations.ballot", "consultations.result",
                     "consultations.ConsultationReportPublished"}
    assert [r.kind for r in ledger.receipts_for(str(resident.pk))] == [
        "residents.RegisterChanged"]
    ledgered = ledgered_strings()

    # The attack works: a reference computed the way this version used to (an unsalted
    # SHA-256 of the register record) gives the tax number away among ~5,000 guesses.
    person = Person.objects.order_by("pk").first()
    assert person is not None
    change = person.changes.get(version=1)
    old_reference = hashlib.sha256(next(
        record for label, record in register_records(person, change)
        if person.rnokpp in label).encode()).hexdigest()
    assert recover({old_reference}, register_records(person, change)) == [
        f"register record of {person.full_name} with RNOKPP {person.rnokpp} (sha256)"]

    # Against the real ledger it recovers nothing.
    assert recover(ledgered, guesses()) == []
