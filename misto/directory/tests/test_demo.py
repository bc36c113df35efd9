"""The demo city's directory lands on the twin's demo places, with valid hours and phones."""

from __future__ import annotations

import io
from typing import Any

import pytest

from misto.directory import demo, services
from misto.directory.models import Unit
from misto.twin import demo as twin_demo


@pytest.mark.django_db
def test_the_demo_directory_is_placed_on_the_demo_city(settings: Any) -> None:
    twin_demo.load()
    out = io.StringIO()
    demo.load(out)
    assert Unit.objects.count() == len(demo.UNITS), out.getvalue()
    assert all(u.address and u.landmark and u.district for u in Unit.objects.all())
    assert [u.slug for u, _s in services.search("паспорт")] == ["cnap-main"]
    assert {u.slug for u, _s in services.search("садочок")} >= {"cnap-main", "education-dept"}
    demo.load(out)  # idempotent
    assert Unit.objects.count() == len(demo.UNITS)
