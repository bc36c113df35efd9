"""Other modules' events become ledger entries without personal data; heads are announced."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import ClassVar

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from misto.core import outbox
from misto.core.events import DomainEvent, EventEnvelope, event_type, handlers_for
from misto.core.models import EventDelivery, OutboxEvent
from misto.ledger import services
from misto.ledger.handlers import LEDGERED, _check_declaration, entry_payload
from misto.ledger.models import LedgerEntry
from misto.ledger.tests.conftest import deliver

pytestmark = pytest.mark.django_db


def test_the_ledger_consumes_exactly_the_declared_events() -> None:
    """Publishers declare; the ledger names no module (none that does not exist, either)."""
    assert LEDGERED == {
        "residents.RegisterChanged": ("action", "change", "version"),
        "twin.FeatureChanged": ("feature_id", "layer", "action", "version"),
        "reports.ReportStatusChanged": ("report_id", "public_id", "previous_status", "status"),
        "iot.DeviceRegistryChanged": ("device_id", "action", "version", "status"),
        "petitions.PetitionOpened": ("petition_id", "number", "threshold", "collection_ends"),
        "petitions.PetitionThresholdReached": ("petition_id", "number", "count", "answer_due"),
        "petitions.PetitionClosed": ("petition_id", "number", "count", "status"),
        "petitions.PetitionAnswered": ("petition_id", "number", "on_time"),
        "budget.ProjectReviewed": ("number", "round", "approved", "cost"),
        "budget.RoundPhaseChanged": ("round", "phase"),
        "budget.ProjectProgressed": ("number", "stage", "spent"),
        "consultations.PollOpened": ("poll_id", "closes_at", "binding"),
        "consultations.PollClosed": ("poll_id", "ballots"),
        "consultations.ConsultationReportPublished": ("hearing_id", "comments"),
        "wallet.DailyTotals": ("day", "topups", "fares", "passes", "services", "corrections",
                               "transfers", "imbalance"),
    }
    for name in LEDGERED:
        assert [h.id for h in handlers_for(name) if h.app == "misto.ledger"] == \
            [f"ledger.ledger_event[{name}]"]  # the ids deliveries in the outbox carry
    assert not any(h.app == "misto.ledger" for h in handlers_for("ledger.TreeHeadIssued"))
    assert not any(h.app == "misto.ledger" for h in handlers_for("reports.ReportCreated"))
    assert "misto.ledger" not in {h.app for h in handlers_for("petitions.PetitionSigned")}


def _value(annotation: object) -> object:
    text = str(annotation)
    return 7 if text.startswith("int") else True if text == "bool" else "public-ref"


@pytest.mark.parametrize("name", sorted(LEDGERED))
def test_nothing_personal_reaches_the_ledger(name: str) -> None:
    """Every declared event, with personal data in every field it does not declare: only the
    declared references reach the entry (and the actor only as a receipt's keyed hash)."""
    cls = event_type(name)
    assert cls is not None and dataclasses.is_dataclass(cls)
    payload: dict[str, object] = {}
    for field in dataclasses.fields(cls):
        if field.name in LEDGERED[name]:
            payload[field.name] = _value(field.type)
        else:
            payload[field.name] = f"Олена Петренко 1234567890 +380501234567 {field.name}"
    payload["user_id"] = 5
    payload["email"] = "olena@example.org"
    event = deliver(name, payload)
    entry = LedgerEntry.objects.get()
    data = json.loads(entry.payload)["data"]
    assert data["refs"] == {field: payload[field] for field in LEDGERED[name]}
    for secret in ("Олена", "Петренко", "1234567890", "380501234567", "olena@", str(event.uuid),
                   event.uuid.hex):
        assert secret not in entry.payload
    assert entry.actor_ref == services.actor_ref("5")
    assert [r.index for r in services.receipts_for("5")] == [entry.index]


def test_a_report_status_change_is_ledgered_with_a_salted_digest() -> None:
    payload = {"report_id": 12, "public_id": "R-12", "status": "done",
               "previous_status": "in_progress", "note": "Олена Петренко, кв. 5",
               "author_user_id": 9, "follower_user_ids": [3, 4], "lon": 28.6, "lat": 50.2}
    event = deliver("reports.ReportStatusChanged", payload)
    entry = LedgerEntry.objects.get()
    assert entry.kind == "reports.ReportStatusChanged"
    data = json.loads(entry.payload)["data"]
    assert data["refs"] == {"report_id": 12, "public_id": "R-12", "previous_status": "in_progress",
                            "status": "done"}
    assert data["event_id"] == event.pk
    salted = uuid.UUID(str(event.uuid)).bytes + json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert data["digest"] == hashlib.sha256(salted).hexdigest()
    assert entry.actor_ref is None  # the author did not act: no receipt


def test_a_register_change_is_only_a_digest() -> None:
    deliver("residents.RegisterChanged", {"action": "update", "rnokpp": "1234567890",
                                          "last_name": "Шевченко"})
    data = json.loads(LedgerEntry.objects.get().payload)["data"]
    assert data["refs"] == {"action": "update"}
    assert services.receipts_for("1234567890") == []


def test_a_delivered_event_is_ledgered_once() -> None:
    event = deliver("reports.ReportStatusChanged", {"report_id": 3, "new_status": "closed"})
    delivery = EventDelivery.objects.get(event=event, handler__startswith="ledger.")
    assert not outbox.deliver(delivery.pk)  # already delivered
    assert LedgerEntry.objects.filter(kind="reports.ReportStatusChanged").count() == 1


@dataclass(frozen=True)
class _TallyPublished(DomainEvent):
    event_name = "ledgertest.TallyPublished"
    ledgered: ClassVar[tuple[str, ...]] = ("round_id", "tally", "total")
    round_id: int
    tally: dict[str, int]
    total: str
    voters: list[str]


def test_refs_keep_only_short_references_and_tallies() -> None:
    envelope = EventEnvelope(id=1, uuid=str(uuid.uuid4()), name="ledgertest.TallyPublished",
                             payload={"round_id": 2, "tally": {"p1": 10, "p2": 3},
                                      "total": "x" * 500, "voters": ["a", "b"]},
                             occurred_at=timezone.now())
    assert entry_payload(envelope)["refs"] == {"round_id": 2, "tally": {"p1": 10, "p2": 3}}


def test_a_declaration_naming_the_actor_or_a_missing_field_stops_the_start() -> None:
    @dataclass(frozen=True)
    class Leaky(DomainEvent):
        event_name = "ledgertest.Leaky"
        ledgered: ClassVar[tuple[str, ...]] = ("user_id", "nickname")
        user_id: int

    with pytest.raises(ImproperlyConfigured, match="user_id, nickname"):
        _check_declaration("ledgertest.Leaky", Leaky.ledgered)


def test_issuing_a_head_publishes_tree_head_issued() -> None:
    services.append("test.one", {"n": 1})
    head = services.issue_head()
    assert head is not None
    event = OutboxEvent.objects.get(name="ledger.TreeHeadIssued")
    assert event.payload == {"tree_size": 1, "timestamp": head.timestamp,
                             "sha256_root_hash": services.sth.b64(bytes(head.root_hash)),
                             "key_id": head.key.key_id}


def test_the_scheduled_tasks_integrate_and_sign() -> None:
    from misto.ledger import tasks

    services.append("test.one", {"n": 1})
    assert tasks.integrate.call() == 1
    assert tasks.issue_scheduled_head.call() == 1
    assert tasks.issue_scheduled_head.call() is None


def test_the_demo_signs_a_head_once() -> None:
    import io

    from misto.ledger import demo

    services.append("test.demo", {"n": 1})
    out = io.StringIO()
    demo.load(out)
    demo.load(out)
    assert out.getvalue().splitlines() == ["ledger: signed a tree head over 1 entries",
                                           "ledger: already signed, nothing new"]
