"""Reading: a resident's inbox and the public feeds of current announcements and outages.

Read-only queries and the public dictionary/GeoJSON shape of an announcement, shared by the
pages, the API and the feeds.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.contrib.gis.geos import Point
from django.db.models import Q, QuerySet
from django.utils import timezone

from misto.notifications import conf
from misto.notifications.models import Announcement, Kind, Message, Status


def inbox(user: Any) -> QuerySet[Message]:
    return (Message.objects.filter(user=user).select_related("announcement")
            .order_by("-created_at", "-pk"))


def unread_count(user: Any) -> int:
    return Message.objects.filter(user=user, read_at__isnull=True).count()


def mark_read(user: Any, message_ids: Iterable[int] | None = None) -> int:
    rows = Message.objects.filter(user=user, read_at__isnull=True)
    if message_ids is not None:
        rows = rows.filter(pk__in=list(message_ids))
    return rows.update(read_at=timezone.now())


def current(now: datetime | None = None) -> QuerySet[Announcement]:
    """Published announcements not yet expired (outages until their end)."""
    now = now or timezone.now()
    return (Announcement.objects.filter(status=Status.PUBLISHED, publish_at__lte=now)
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
            .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
            .prefetch_related("topics"))


def current_outages(now: datetime | None = None) -> QuerySet[Announcement]:
    return current(now).filter(kind=Kind.OUTAGE)


def announcement_dict(row: Announcement, language: str | None = None) -> dict[str, Any]:
    return {
        "id": row.pk, "kind": row.kind, "outage_type": row.outage_type or None,
        "emergency": row.emergency, "urgent": row.urgent,
        "title": row.title(language), "body": row.body(language),
        "title_uk": row.title_uk, "title_en": row.title_en,
        "topics": [t.code for t in row.topics.all()], "target": row.target,
        "districts": row.districts, "building_count": row.building_count,
        "starts_at": row.starts_at.isoformat() if row.starts_at else None,
        "ends_at": row.ends_at.isoformat() if row.ends_at else None,
        "published_at": row.published_at.isoformat() if row.published_at else None,
        "expires_at": row.expires_at.isoformat() if row.expires_at else None,
        "status": row.status, "url": f"{conf.public_url()}/notices/{row.pk}/",
    }


def outages_geojson(now: datetime | None = None, language: str | None = None
                    ) -> dict[str, Any]:
    features = []
    for row in current_outages(now):
        if row.area is None:
            continue
        properties = announcement_dict(row, language)
        properties.pop("body", None)
        features.append({"type": "Feature", "id": row.pk,
                         "geometry": json.loads(row.area.geojson), "properties": properties})
    return {"type": "FeatureCollection", "features": features}


def point_of(row: Announcement) -> Point | None:
    if row.area is None:
        return None
    centre = row.area.point_on_surface
    return centre if isinstance(centre, Point) else None
