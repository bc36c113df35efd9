"""The consultations' test world: the named city, an open poll, its residents."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from misto.consultations import services
from misto.consultations.models import Hearing, Poll
from misto.testing import make_staff, world
from misto.testing.world import make_resident


@pytest.fixture(autouse=True)
def small_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """1024-bit keys: the tests' speed, not the city's."""
    monkeypatch.setenv("MISTO_CONSULTATIONS_KEY_BITS", "1024")


@pytest.fixture
def city(db: Any) -> world.City:
    return world.build_city()


@pytest.fixture
def clerk(db: Any) -> Any:
    return make_staff("poll-clerk", "clerk", department="council")


def make_poll(clerk: Any, districts: list[str], **rules: Any) -> Poll:
    return services.do_publish(services.do_create_poll(clerk, services.check_poll(
        "Чи потрібна нічна маршрутка?", "Do we need a night minibus?",
        [("Так", "Yes"), ("Ні", "No"), ("Лише у вихідні", "Weekends only")],
        closes_at=timezone.now() + timedelta(days=7), districts=districts, **rules)))


@pytest.fixture
def poll(city: world.City, clerk: Any) -> Poll:
    """Open, for the west district's residents only, results by district."""
    return make_poll(clerk, [city.west, city.east], by_district=True, district_only=True)


@pytest.fixture
def voters(db: Any, city: world.City) -> list[Any]:
    return [make_resident(f"voter-{i}", district=city.west if i < 4 else city.east)
            for i in range(6)]


@pytest.fixture
def hearing(city: world.City, clerk: Any) -> Hearing:
    return services.publish_hearing(services.create_hearing(
        clerk, "Реконструкція площі", timezone.now() + timedelta(days=7),
        title_en="Rebuilding the square",
        documents=[{"title_uk": "Записка", "body_uk": "Більше дерев."}]))
