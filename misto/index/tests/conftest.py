"""The index's test world: the named city, the shipped catalogue, and staff of each role."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from misto.index import services
from misto.testing import make_staff, world


@pytest.fixture
def city(db: Any) -> world.City:
    return world.build_city()


@pytest.fixture
def catalogue(db: Any) -> int:
    return services.load()


@pytest.fixture
def clerk(db: Any) -> Any:
    """A clerk of the economic development department (owns ECO-01, an imported one)."""
    return make_staff("economy-clerk", "clerk", department="economy")


@pytest.fixture
def it_admin(db: Any) -> Any:
    return make_staff("it-admin", "it_admin")


@pytest.fixture
def light_clerk(db: Any) -> Any:
    return make_staff("light-clerk", "clerk", department="light")


def last_year() -> int:
    return timezone.localdate().year - 1


def in_year(year: int, month: int, day: int, hour: int = 9) -> datetime:
    return datetime(year, month, day, hour, tzinfo=timezone.get_current_timezone())


def make_reports(year: int, hours: list[float], district: str = world.WEST_DISTRICT
                 ) -> list[Any]:
    """Resolved reports of ``year``, each taking the given hours to resolve."""
    from misto.reports.models import Category, Report, Status

    category, _ = Category.objects.get_or_create(code="light", defaults={
        "title": "Освітлення", "title_en": "Lighting", "sla_hours": 48})
    made = []
    for number, taken in enumerate(hours):
        created = in_year(year, 3, 1 + number)
        made.append(Report.objects.create(
            category=category, district=district, location=Point(35.13, 47.82, srid=4326),
            description="Не світить ліхтар", status=Status.RESOLVED, created_at=created,
            closed_at=created + timedelta(hours=taken)))
    return made


def line_of(row: str) -> int:
    """The line number a refusal names ("line 3: ..." / "рядок 3: ...")."""
    found = re.match(r"\D+ (\d+):", row)
    assert found, row
    return int(found.group(1))
