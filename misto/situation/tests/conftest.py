"""A tiny city and people for the situation centre's tests.

The city is built through the twin's own functions (test set-up only; the module itself
reads the twin through the functions ``misto.twin`` exports). Foreign events are written
to the outbox by name, exactly as their modules would, so these tests do not depend on
the reports, iot or notifications modules being installed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from misto.core.bus import after_commit
from misto.core.events import handlers_for
from misto.core.models import DeliveryStatus, EventDelivery, OutboxEvent
from misto.core.outbox import deliver
from misto.situation.models import Crew
from misto.situation.services import ensure_default_kinds
from misto.testing import make_staff, world
from misto.testing.world import (  # noqa: F401  (re-exported to the tests)
    EAST_DISTRICT,
    ON_LESI,
    ON_SHEVCHENKA,
    ON_SHEVCHENKA_60M,
    WEST_DISTRICT,
    City,
)


def build_city() -> City:
    city = world.build_city()
    ensure_default_kinds()
    return city


@pytest.fixture
def city(db: Any) -> City:
    return build_city()


@dataclass
class People:
    dispatcher: Any
    crew_member: Any
    other_member: Any
    resident: Any
    crew: Crew
    other_crew: Crew


def make_people() -> People:
    users = get_user_model()
    dispatcher = make_staff("dispatcher", "dispatcher", password="pw-dispatch-123")
    crew_member = users.objects.create_user("crewman", password="pw-crew-123")
    other_member = users.objects.create_user("othercrew", password="pw-other-123")
    resident = users.objects.create_user("resident", password="pw-resident-123")
    crew = Crew.objects.create(name="Аварійна бригада № 1", department="water")
    crew.members.add(crew_member)
    other = Crew.objects.create(name="Бригада доріг", department="roads")
    other.members.add(other_member)
    return People(dispatcher, crew_member, other_member, resident, crew, other)


@pytest.fixture
def people(db: Any) -> People:
    return make_people()


def publish_raw(name: str, payload: dict[str, Any]) -> int:
    """Write a foreign module's event to the outbox as ``misto.core.bus.publish`` does."""
    with transaction.atomic():
        row = OutboxEvent.objects.create(name=name, payload=payload,
                                         occurred_at=timezone.now())
        EventDelivery.objects.bulk_create(
            EventDelivery(event=row, handler=handler.id, next_attempt_at=row.occurred_at)
            for handler in handlers_for(name))
    event_id = row.pk
    transaction.on_commit(lambda: after_commit([event_id]))
    return event_id


def deliver_situation() -> int:
    """Deliver the pending events to the situation centre's handlers (inside a test's
    transaction no commit happens, so nothing is delivered on its own)."""
    ids = list(EventDelivery.objects.filter(status=DeliveryStatus.PENDING,
                                            handler__startswith="situation.")
               .values_list("pk", flat=True))
    return sum(deliver(pk) for pk in ids)


def report_payload(report_id: int, lon: float, lat: float, *, category: str = "water",
                   created_at: str | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "report_id": report_id, "public_id": f"R-{report_id:05d}", "category": category,
        "category_title": "Тече вода", "department": "water", "district": None,
        "lon": lon, "lat": lat, "landmark": "", "address": "", "author_user_id": 7,
        "channel": "web", "created_at": created_at or timezone.now().isoformat(),
        "url": f"/reports/{report_id}/", **extra,
    }


def reading_payload(device_id: str, lon: float | None, lat: float | None, *,
                    quantity: str = "water_pressure", value: float = 0.8,
                    threshold: float = 2.0, severity: str = "critical",
                    observed_at: str | None = None, cleared: bool = False) -> dict[str, Any]:
    return {
        "device_id": device_id, "device_name": f"Датчик {device_id}", "model": "PT-100",
        "quantity": quantity, "value": value, "threshold": threshold, "rule_id": 1,
        "severity": severity, "public_impact": False, "district": None, "lon": lon,
        "lat": lat, "feature_id": None,
        "observed_at": observed_at or timezone.now().isoformat(), "cleared": cleared,
    }


def release_other_sessions() -> None:
    """Threads the test started (the iot consumer, an ASGI request's worker thread) keep
    their PostgreSQL sessions after they stop; end them so the test database can be
    dropped (iot's own MQTT tests show the same teardown warning)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND pid <> pg_backend_pid()")
