"""The demo loader: topics and announcements, idempotently."""

from __future__ import annotations

import io

import pytest

from misto.notifications import demo, services
from misto.notifications.models import Announcement, FanOut, Topic

pytestmark = pytest.mark.django_db


def test_demo_loads_once(city) -> None:
    out = io.StringIO()
    demo.load(out)
    assert Topic.objects.count() == len(services.DEFAULT_TOPICS)
    assert {t.title_uk for t in Topic.objects.all()} >= {"ЖКГ", "Освіта", "Транспорт", "Події",
                                                        "Безпека", "Довкілля"}
    water = Announcement.objects.get(source_key="demo:water")
    assert water.kind == "outage" and water.outage_type == "water"
    assert water.status == "published" and FanOut.objects.filter(announcement=water).exists()
    count = Announcement.objects.count()
    assert count == 3
    demo.load(out)
    assert Announcement.objects.count() == count
    assert "notifications:" in out.getvalue()
