"""The notifications part of the demo city: topics, a few announcements, a water outage."""

from __future__ import annotations

from datetime import timedelta
from typing import IO

from django.contrib.gis.geos import Polygon
from django.db import transaction
from django.utils import timezone

from misto.notifications import services
from misto.notifications.models import Announcement

# A block of the demo city's centre, crossed by three streets (see misto/twin/demo.py).
OUTAGE_AREA = Polygon.from_bbox((35.1585, 47.8445, 35.1705, 47.8505))
OUTAGE_AREA.srid = 4326


def load(stdout: IO[str]) -> None:
    created = services.ensure_default_topics()
    codes = sorted(services.district_codes())
    now = timezone.now()
    drafts: list[tuple[str, services.Draft]] = [
        ("demo:water", services.Draft(
            kind="outage", outage_type="water", topics=["housing"], target="area",
            area=OUTAGE_AREA,
            title_uk="Планове відключення холодної води",
            title_en="Planned cold water outage",
            body_uk="Водоканал замінює засувки на магістральному водогоні. Запасіться водою.",
            body_en="The water utility is replacing valves on the main. Store some water.",
            starts_at=now + timedelta(hours=20), ends_at=now + timedelta(hours=28),
        )),
        ("demo:school", services.Draft(
            topics=["education"], target="districts", districts=codes[:2],
            title_uk="Запис до перших класів відкрито",
            title_en="Enrolment for the first grade is open",
            body_uk="Подати заяву можна в кабінеті мешканця або в ЦНАП до 31 травня.",
            body_en="Apply in the resident's cabinet or at the service centre by 31 May.",
        )),
        ("demo:fair", services.Draft(
            topics=["events"], target="districts", districts=codes[:1] or [],
            title_uk="Ярмарок місцевих виробників у суботу",
            title_en="Local producers' fair on Saturday",
            body_uk="З 9:00 до 15:00 на центральній площі.",
            body_en="From 9:00 to 15:00 on the central square.",
            expires_at=now + timedelta(days=6),
        )),
    ]
    made = 0
    for key, draft in drafts:
        if Announcement.objects.filter(source_key=key).exists() or not codes:
            continue
        with transaction.atomic():
            checked = services.check_draft(draft)
            announcement = services._create(checked, None, source_key=key)
            services.publish_announcement(announcement)
        made += 1
    stdout.write(f"notifications: {created} topics, {made} announcements\n")
