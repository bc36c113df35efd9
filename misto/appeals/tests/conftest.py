"""The e-reception's test world: the named city, two receptions, a resident and clerks."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from misto.appeals import services
from misto.appeals.models import Appeal, Reception
from misto.residents import levels
from misto.testing import make_staff, world
from misto.testing.world import make_resident

TEXT = "Третій тиждень не світить ліхтар біля будинку 3 на вулиці Шевченка."


@pytest.fixture
def receptions(db: Any) -> dict[str, Reception]:
    return {
        "light": Reception.objects.create(code="light-head", kind="department_head",
                                          title_uk="Начальник служби освітлення",
                                          title_en="Head of street lighting",
                                          department="light"),
        "mayor": Reception.objects.create(code="mayor", kind="mayor",
                                          title_uk="Приймальня міського голови",
                                          title_en="The mayor's reception",
                                          department="council"),
    }


@pytest.fixture
def resident(db: Any) -> Any:
    return make_resident("writer")


@pytest.fixture
def clerk(db: Any) -> Any:
    return make_staff("light-clerk", "clerk", department="light")


@pytest.fixture
def appeal(receptions: dict[str, Reception], resident: Any) -> Appeal:
    return services.register(services.check_appeal("light-head", "complaint",
                                                   "Не світить ліхтар", TEXT), author=resident)


def signed_in(user: Any, level: str = levels.BASIC) -> Client:
    """A browser signed in as ``user``; writing an appeal needs only a sign-in by code."""
    return world.signed_in(user, level)
