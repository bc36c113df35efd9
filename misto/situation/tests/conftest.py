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
from django.contrib.gis.geos import LineString, MultiLineString, MultiPolygon, Point, Polygon
from django.db import transaction
from django.utils import timezone

from misto.core.events import handlers_for
from misto.core.models import DeliveryStatus, EventDelivery, OutboxEvent
from misto.core.outbox import after_commit, deliver
from misto.situation.models import Crew
from misto.situation.services import ensure_default_kinds

WEST_DISTRICT = "UA23060070010000012"
EAST_DISTRICT = "UA23060070010000013"
# Шевченка runs west-east along lat 47.82; Лесі Українки along 47.83 (1.1 km north).
ON_SHEVCHENKA = (35.1300, 47.8200)
ON_SHEVCHENKA_60M = (35.1308, 47.8201)
ON_LESI = (35.1300, 47.8300)


@dataclass
class City:
    west: str = WEST_DISTRICT
    east: str = EAST_DISTRICT


def build_city() -> City:
    from misto.twin import builtin, services

    services.ensure_builtin_layers()
    for name, prefix, code, bbox in [
        ("Західний район", "12", WEST_DISTRICT, (35.10, 47.80, 35.15, 47.85)),
        ("Східний район", "13", EAST_DISTRICT, (35.15, 47.80, 35.20, 47.85)),
    ]:
        services.create_feature(services.get_layer(builtin.DISTRICTS),
                                MultiPolygon(Polygon.from_bbox(bbox), srid=4326),
                                {"name": name, "katottg": code, "prefix": prefix})
    streets = services.get_layer(builtin.STREETS)
    for name, line in [("Шевченка", ((35.11, 47.82), (35.19, 47.82))),
                       ("Лесі Українки", ((35.11, 47.83), (35.19, 47.83))),
                       ("Козацька", ((35.1304, 47.81), (35.1304, 47.84)))]:
        services.create_feature(streets, MultiLineString(LineString(*line), srid=4326),
                                {"name": name, "type": "вулиця"})
    addresses = services.get_layer(builtin.ADDRESSES)
    for street, house, lon, lat in [("Шевченка", "1", 35.1300, 47.8202),
                                    ("Шевченка", "3", 35.1309, 47.8202),
                                    ("Лесі Українки", "5", 35.1300, 47.8302),
                                    ("Козацька", "2", 35.1306, 47.8195),
                                    ("Шевченка", "40", 35.1700, 47.8202)]:
        services.create_feature(addresses, Point(lon, lat, srid=4326),
                                {"street": street, "housenumber": house})
    landmarks = services.get_layer(builtin.LANDMARKS)
    services.create_feature(landmarks, Point(35.1301, 47.8200, srid=4326), {"kind": "hydrant"})
    services.number_layer(landmarks)
    buildings = services.get_layer(builtin.BUILDINGS)
    for i in range(3):
        x = 35.1290 + i * 0.0008
        services.create_feature(buildings, MultiPolygon(
            Polygon.from_bbox((x, 47.8205, x + 0.0004, 47.8209)), srid=4326),
            {"street": "Шевченка", "housenumber": str(2 * i + 2)})
    services.create_feature(buildings, MultiPolygon(
        Polygon.from_bbox((35.1700, 47.8205, 35.1704, 47.8209)), srid=4326),
        {"street": "Шевченка", "housenumber": "44"})
    shelters = services.get_layer(builtin.SHELTERS)
    services.create_feature(shelters, Point(35.1312, 47.8212, srid=4326),
                            {"name": "Укриття № 1", "capacity": 120})
    services.create_feature(shelters, Point(35.1400, 47.8250, srid=4326),
                            {"name": "Укриття № 2", "capacity": 80})
    ensure_default_kinds()
    return City()


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
    dispatcher = users.objects.create_user("dispatcher", password="pw-dispatch-123",
                                           is_staff=True)
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
    """Write a foreign module's event to the outbox as ``misto.core.events.publish`` does."""
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
