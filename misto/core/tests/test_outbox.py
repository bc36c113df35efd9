"""The transactional outbox: publish with the change, deliver after commit, never lose."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from misto.core import bus, outbox
from misto.core.bus import publish
from misto.core.events import handlers_for
from misto.core.models import DeliveryStatus, EventDelivery, OutboxEvent
from misto.core.tests.sample_module.events import SampleHappened
from misto.core.tests.sample_module.models import Echo

pytestmark = pytest.mark.django_db(transaction=True)


def test_publish_writes_event_and_one_delivery_per_handler() -> None:
    with transaction.atomic():
        event_id = publish(SampleHappened(number=1))
    event = OutboxEvent.objects.get(pk=event_id)
    assert event.name == "sample_module.SampleHappened"
    assert event.payload == {"number": 1, "fail": False, "slow": 0.0}
    handlers = {h.id for h in handlers_for(event.name)}
    assert set(event.deliveries.values_list("handler", flat=True)) == handlers
    assert handlers == {"sample_module.echo"}


def test_rolled_back_transaction_publishes_nothing() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        publish(SampleHappened(number=2))
        raise RuntimeError("business rule failed")
    assert not OutboxEvent.objects.exists()
    assert not EventDelivery.objects.exists()


def test_worker_pass_delivers_once() -> None:
    publish(SampleHappened(number=3))
    assert outbox.deliver_due() == 1
    assert outbox.deliver_due() == 0
    assert list(Echo.objects.values_list("number", flat=True)) == [3]
    delivery = EventDelivery.objects.get()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempts == 1


def test_failure_retries_with_backoff_then_dead_letter(settings) -> None:
    settings.MISTO_OUTBOX_MAX_ATTEMPTS = 3
    publish(SampleHappened(number=4, fail=True))
    delivery = EventDelivery.objects.get()
    for attempt in range(1, 4):
        assert outbox.deliver(delivery.pk)
        delivery.refresh_from_db()
        assert delivery.attempts == attempt
        assert "sample failure for 4" in delivery.last_error
        if attempt < 3:
            assert delivery.status == DeliveryStatus.PENDING
            assert delivery.next_attempt_at > timezone.now()
            assert outbox.deliver_due() == 0  # not due yet: backing off
    assert delivery.status == DeliveryStatus.DEAD
    assert not Echo.objects.exists()


def test_backoff_grows_and_is_capped() -> None:
    assert timedelta(seconds=1.5) < outbox.backoff(1) < timedelta(seconds=2.5)
    assert outbox.backoff(5) > outbox.backoff(2)
    assert outbox.backoff(40) <= outbox.MAX_BACKOFF * 1.2


def test_failed_handler_rolls_back_its_own_writes_only() -> None:
    publish(SampleHappened(number=5, fail=True))
    publish(SampleHappened(number=6))
    outbox.deliver_due()
    assert list(Echo.objects.values_list("number", flat=True)) == [6]


def test_replay_dead_letter_delivers_it(settings) -> None:
    settings.MISTO_OUTBOX_MAX_ATTEMPTS = 1
    event_id = publish(SampleHappened(number=7, fail=True))
    outbox.deliver_due()
    delivery = EventDelivery.objects.get(event_id=event_id)
    assert delivery.status == DeliveryStatus.DEAD
    # The cause is fixed (here: the payload), then staff replay the dead letter.
    OutboxEvent.objects.filter(pk=event_id).update(payload={"number": 7, "fail": False,
                                                             "slow": 0.0})
    with transaction.atomic():
        assert bus.replay([delivery.pk]) == 1
    outbox.deliver_due()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert Echo.objects.get().number == 7
    assert bus.replay([delivery.pk]) == 0  # only dead letters can be replayed


def test_delivery_for_uninstalled_handler_is_dead_with_reason() -> None:
    event_id = publish(SampleHappened(number=8))
    EventDelivery.objects.filter(event_id=event_id).update(handler="gone.handler")
    outbox.deliver_due()
    delivery = EventDelivery.objects.get(event_id=event_id)
    assert delivery.status == DeliveryStatus.DEAD
    assert "not installed" in delivery.last_error


def test_event_without_handlers_is_stored() -> None:
    from dataclasses import dataclass

    from misto.core.events import DomainEvent

    @dataclass(frozen=True)
    class NobodyListens(DomainEvent):
        event_name = "sample_module.NobodyListens"
        at: object

    event_id = publish(NobodyListens(at=timezone.now()))
    event = OutboxEvent.objects.get(pk=event_id)
    assert isinstance(event.payload["at"], str)
    assert not event.deliveries.exists()


def test_one_post_commit_call_per_transaction(monkeypatch) -> None:
    calls: list[list[int]] = []
    monkeypatch.setattr("misto.core.bus.after_commit", calls.append)
    with transaction.atomic():
        first = publish(SampleHappened(number=10))
        second = publish(SampleHappened(number=11))
    third = publish(SampleHappened(number=12))  # autocommit: its own transaction
    assert calls == [[first, second], [third]]


def test_rolled_back_savepoint_does_not_break_the_next_batch(monkeypatch) -> None:
    calls: list[list[int]] = []
    monkeypatch.setattr("misto.core.bus.after_commit", calls.append)
    with transaction.atomic():
        kept = publish(SampleHappened(number=13))
        with pytest.raises(RuntimeError), transaction.atomic():
            publish(SampleHappened(number=14))
            raise RuntimeError("inner change refused")
        also_kept = publish(SampleHappened(number=15))
    assert OutboxEvent.objects.count() == 2
    assert [kept, also_kept] == [e for batch in calls for e in batch if e in (kept, also_kept)]
    with pytest.raises(RuntimeError), transaction.atomic():
        publish(SampleHappened(number=16))
        raise RuntimeError("whole transaction refused")
    after = publish(SampleHappened(number=17))
    assert calls[-1] == [after]


def test_batched_delivery_marks_every_row() -> None:
    with transaction.atomic():
        for number in range(120):
            publish(SampleHappened(number=number))
    assert outbox.deliver_due(batch=50) == 120
    assert Echo.objects.count() == 120
    assert not EventDelivery.objects.exclude(status=DeliveryStatus.DELIVERED).exists()


def _inline_sample_handler(monkeypatch) -> None:
    """The sample handler as an inline one (it is not: the worker delivers it)."""
    import dataclasses

    monkeypatch.setattr(bus, "handlers_for", lambda name: [
        dataclasses.replace(handler, inline=True) for handler in handlers_for(name)])


def test_background_threads_leave_inline_handlers_to_the_worker(monkeypatch) -> None:
    import threading

    calls: list[list[int]] = []
    monkeypatch.setattr(outbox, "deliver_inline", calls.append)
    _inline_sample_handler(monkeypatch)

    def publish_in_background() -> None:
        outbox.INLINE_DELIVERY.set(False)
        publish(SampleHappened(number=20))

    thread = threading.Thread(target=publish_in_background)
    thread.start()
    thread.join()
    assert calls == []
    publish(SampleHappened(number=21))  # a request thread: inline handlers run at once
    assert len(calls) == 1


def test_only_events_with_inline_handlers_get_the_inline_pass(monkeypatch) -> None:
    """The inline pass is a transaction of its own after the commit: an event no inline
    handler consumes (most: a parking session's) skips it; the worker delivers it."""
    calls: list[list[int]] = []
    monkeypatch.setattr(outbox, "deliver_inline", calls.append)
    with transaction.atomic():
        publish(SampleHappened(number=22))
    assert calls == [] and EventDelivery.objects.get().status == DeliveryStatus.PENDING
    _inline_sample_handler(monkeypatch)
    with transaction.atomic():
        plain = publish(SampleHappened(number=23))
        monkeypatch.setattr(bus, "handlers_for", handlers_for)
        publish(SampleHappened(number=24))
    assert calls == [[plain]]


def test_publish_many_is_publish_for_each_in_two_statements(monkeypatch) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    calls: list[list[int]] = []
    monkeypatch.setattr("misto.core.bus.after_commit", calls.append)
    events = [SampleHappened(number=n) for n in (20, 21, 22)]
    with transaction.atomic():
        single = publish(SampleHappened(number=19))
        with CaptureQueriesContext(connection) as queries:
            many = bus.publish_many(events)
    assert len(queries) == 2  # the events, their deliveries
    assert calls == [[single, *many]]  # one post-commit call, in publishing order
    assert bus.publish_many([]) == []
    rows = OutboxEvent.objects.filter(pk__in=many).order_by("pk")
    assert [row.pk for row in rows] == many
    assert [row.payload["number"] for row in rows] == [20, 21, 22]
    assert EventDelivery.objects.filter(event_id__in=many, handler="sample_module.echo",
                                        status=DeliveryStatus.PENDING).count() == 3
    assert outbox.deliver_due() == 4
    assert sorted(Echo.objects.values_list("number", flat=True)) == [19, 20, 21, 22]
