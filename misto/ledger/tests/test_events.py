"""Other modules' events become ledger entries without personal data; heads are announced."""

from __future__ import annotations

import hashlib
import json
import uuid

import pytest
from django.utils import timezone

from misto.core import outbox
from misto.core.events import handlers_for
from misto.core.models import EventDelivery, OutboxEvent
from misto.ledger import services
from misto.ledger.handlers import LEDGERED, entry_payload
from misto.ledger.models import LedgerEntry
from misto.ledger.tests.conftest import deliver

pytestmark = pytest.mark.django_db


def test_every_ledgered_event_has_a_handler() -> None:
    for name in ["twin.FeatureChanged", "residents.RegisterChanged",
                 "reports.ReportStatusChanged", "petitions.PetitionSigned",
                 "iot.DeviceRegistryChanged"]:
        assert name in LEDGERED
        assert any(h.app == "misto.ledger" for h in handlers_for(name))
    assert not any(h.app == "misto.ledger" for h in handlers_for("ledger.TreeHeadIssued"))


def test_a_petition_signature_is_ledgered_with_a_receipt_and_no_personal_data() -> None:
    payload = {"petition_id": 12, "user_id": 5, "signatures": 101,
               "full_name": "Олена Петренко", "rnokpp": "1234567890"}
    event = deliver("petitions.PetitionSigned", payload)
    entry = LedgerEntry.objects.get()
    assert entry.kind == "petitions.PetitionSigned"
    data = json.loads(entry.payload)["data"]
    assert data["refs"] == {"petition_id": 12, "signatures": 101}
    assert data["event_id"] == event.pk
    salted = uuid.UUID(str(event.uuid)).bytes + json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert data["digest"] == hashlib.sha256(salted).hexdigest()
    for secret in ("Олена", "1234567890", str(event.uuid)):
        assert secret not in entry.payload
    assert [r.index for r in services.receipts_for("5")] == [entry.index]


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


def test_refs_keep_only_short_references_and_tallies() -> None:
    from misto.core.events import EventEnvelope

    envelope = EventEnvelope(id=1, uuid=str(uuid.uuid4()), name="budget.TallyPublished",
                             payload={"round_id": 2, "tally": {"p1": 10, "p2": 3},
                                      "total": "x" * 500, "voters": ["a", "b"]},
                             occurred_at=timezone.now())
    assert entry_payload(envelope)["refs"] == {"round_id": 2, "tally": {"p1": 10, "p2": 3}}


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
