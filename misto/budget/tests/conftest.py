"""The budget's test world: the named city, a round in voting with two districts' projects
and a city-wide one, residents of each district."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from misto.budget import services
from misto.budget.models import Phase, Project, Round
from misto.residents import levels
from misto.testing import make_staff, world
from misto.testing.world import make_resident

TEXT = "Новий дитячий майданчик з безпечним покриттям і лавками для батьків."


@pytest.fixture
def city(db: Any) -> world.City:
    return world.build_city()


@pytest.fixture
def clerk(db: Any) -> Any:
    return make_staff("budget-clerk", "clerk", department="economy")


@pytest.fixture
def author(db: Any) -> Any:
    return make_resident("budget-author")


def propose(found: Round, author: Any, title: str, place: Any, cost: int = 100_000) -> Project:
    return services.do_propose(author, found, services.check_proposal(
        author, levels.VERIFIED, found, title, TEXT, cost, place))


@pytest.fixture
def proposals(city: world.City, author: Any) -> Round:
    """A round in its proposals phase (1024-bit keys: the tests' speed, not the city's)."""
    today = timezone.localdate()
    return services.create_round(
        "2026", "Громадський бюджет 2026", "Public budget 2026",
        {city.west: 300_000, city.east: 300_000}, city_amount=500_000,
        voting_from=today - timedelta(days=1), voting_until=today + timedelta(days=10),
        max_choices=2, min_age=16, key_bits=1024)


@pytest.fixture
def voting(proposals: Round, author: Any, clerk: Any, city: world.City) -> Round:
    """In voting: W1, W2 in the west (W2 dearer), E1 in the east, C1 city-wide (an area
    over both districts), R1 rejected."""
    west = [propose(proposals, author, "Майданчик на Шевченка", list(world.ON_SHEVCHENKA)),
            propose(proposals, author, "Ліхтарі на Лесі Українки", list(world.ON_LESI),
                    cost=250_000)]
    east = propose(proposals, author, "Лавки у Східному", [35.17, 47.82])
    whole = propose(proposals, author, "Переходи по всьому місту", {
        "type": "Polygon", "coordinates": [[[35.14, 47.81], [35.16, 47.81], [35.16, 47.815],
                                            [35.14, 47.815], [35.14, 47.81]]]})
    rejected = propose(proposals, author, "Фонтан на площі", [35.13, 47.83])
    for project in [*west, east, whole]:
        services.review(clerk, project, approve=True, reason="Реалізовно.")
    services.review(clerk, rejected, approve=False, reason="Пам'ятка: будувати не можна.")
    services.do_set_phase(proposals, Phase.REVIEW)
    return services.do_set_phase(proposals, Phase.VOTING)


def numbers(found: Round) -> dict[str, str]:
    """Title's first word -> number, for readable tests."""
    return {p.title.split()[0]: p.number for p in Project.objects.filter(round=found)}


@pytest.fixture
def voters(db: Any, city: world.City) -> list[Any]:
    return [make_resident(f"voter-{i}", district=city.west if i < 4 else city.east)
            for i in range(6)]
