"""The petitions' test world: the named city, the city's rules, residents who may sign."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from misto.petitions import services
from misto.petitions.models import ModerationRule, Petition, Rules
from misto.residents import levels
from misto.testing import make_staff, world
from misto.testing.world import make_resident


@pytest.fixture
def city(db: Any) -> world.City:
    return world.build_city()


@pytest.fixture
def rules(db: Any) -> Rules:
    Rules.objects.all().delete()
    ModerationRule.objects.create(code="R1", title_uk="Не в межах повноважень міста",
                                  title_en="Outside the city's powers",
                                  text_uk="Петиція має стосуватися справ громади.",
                                  text_en="A petition must concern the community's affairs.")
    return Rules.objects.create(threshold=3, collection_days=30, min_age=16,
                                answer_working_days=10, answering_department="council")


@pytest.fixture
def author(db: Any) -> Any:
    return make_resident("author", last_name="Авторенко", first_name="Іван",
                         patronymic="Олегович")


@pytest.fixture
def moderator(db: Any) -> Any:
    return make_staff("moderator", "moderator")


@pytest.fixture
def council_clerk(db: Any) -> Any:
    return make_staff("council-clerk", "clerk", department="council")


TEXT = ("Просимо встановити світлофор на перехресті біля школи: щоранку діти переходять "
        "дорогу без нього.")


@pytest.fixture
def open_petition(city: world.City, rules: Rules, author: Any, moderator: Any) -> Petition:
    draft = services.check_draft("Світлофор біля школи № 5", TEXT, "transport", "Шевченка")
    petition = services.submit(services.do_create_draft(author, draft))
    return services.open_petition(moderator, petition)


@pytest.fixture
def residents(db: Any) -> Callable[[int], list[Any]]:
    def make(count: int, **fields: Any) -> list[Any]:
        start = len(made)
        made.extend(make_resident(f"signer-{start + i}", **fields) for i in range(count))
        return made[start:]

    made: list[Any] = []
    return make


def signed_in(user: Any, level: str = levels.VERIFIED) -> Client:
    """A browser signed in as ``user``; signing a petition needs a provider sign-in."""
    return world.signed_in(user, level)
