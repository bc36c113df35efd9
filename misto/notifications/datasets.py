"""The notifications module's open dataset (``MistoModule.datasets``): the published
outages (water, heating, power, gas) and announcements, as residents see them on the public
page: kind, type, title, districts, the area as GeoJSON, the number of buildings and the
times. Never who wrote or approved one, never who was notified; drafts and withdrawn
announcements are not in it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from misto.core.registry import Column, OpenDataset, OpenTable
from misto.notifications.models import Announcement, Status


def announcements() -> Iterator[dict[str, Any]]:
    for item in Announcement.objects.filter(status=Status.PUBLISHED).order_by("publish_at",
                                                                              "pk"):
        yield {"id": item.pk, "kind": item.kind, "outage_type": item.outage_type or None,
               "emergency": item.emergency, "title": item.title_uk,
               "title_en": item.title_en or None, "target": item.target,
               "districts": " ".join(item.districts or []) or None,
               "buildings": item.building_count, "starts_at": item.starts_at,
               "ends_at": item.ends_at, "published_at": item.published_at or item.publish_at,
               "geometry": json.loads(item.area.geojson) if item.area else None}


DATASETS = (
    OpenDataset(
        name="outages-and-announcements", title="Відключення та оголошення",
        title_en="Outages and announcements",
        description="Оприлюднені планові й аварійні відключення (вода, тепло, світло, газ) та "
                    "оголошення міста: вид, райони, територія на мапі, кількість будинків, "
                    "час.",
        description_en="Published planned and emergency outages (water, heating, power, gas) "
                       "and the city's announcements: kind, districts, the area on the map, "
                       "the number of buildings, the times.",
        publisher="it", theme="ENER", keywords=("відключення", "оголошення", "ЖКГ"),
        frequency="DAILY",
        stale_on=("notifications.OutageAnnounced", "notifications.AnnouncementPublished"),
        tables=(OpenTable("announcements", "Відключення та оголошення",
                          "Outages and announcements", (
                              Column("id", "integer", "Номер", "Number"),
                              Column("kind", "string", "Вид", "Kind"),
                              Column("outage_type", "string", "Що відключено",
                                     "What is cut off"),
                              Column("emergency", "boolean", "Аварійне", "Emergency"),
                              Column("title", "string", "Заголовок", "Title"),
                              Column("title_en", "string", "Заголовок англійською",
                                     "Title in English"),
                              Column("target", "string", "Кому", "Target"),
                              Column("districts", "string", "Райони (КАТОТТГ)",
                                     "Districts (KATOTTG)"),
                              Column("buildings", "integer", "Будинків", "Buildings",
                                     "buildings"),
                              Column("starts_at", "datetime", "Початок", "Starts at"),
                              Column("ends_at", "datetime", "Кінець", "Ends at"),
                              Column("published_at", "datetime", "Оприлюднено",
                                     "Published at"),
                          ), announcements, geometry=True),)),
)
