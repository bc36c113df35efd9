"""Announcements: staff compose, approve, schedule, publish and withdraw them.

``check_draft`` validates a draft and derives its area, districts and buildings; the changes
then publish the announcement's events and create its fan-out job in the same transaction.
Announcements made by other modules' events go through the same checks without approval.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.gis.geos import MultiPolygon
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from misto.core.bus import publish
from misto.notifications.errors import NotificationError, NotificationsCode
from misto.notifications.events import AnnouncementPublished, OutageAnnounced
from misto.notifications.models import (
    AffectedBuilding,
    Announcement,
    Delivery,
    Kind,
    OutageType,
    Status,
    Target,
    Topic,
)
from misto.notifications.services.access import access_announcement, check_may
from misto.notifications.services.fanout import create_fanout
from misto.notifications.services.topics import topics_by_code
from misto.notifications.services.twin import (
    _building_label,
    buildings_by_id,
    buildings_in,
    check_districts,
    districts_area,
    districts_touching,
    parse_area,
)


@dataclass
class Draft:
    """What staff send to compose an announcement (the form and the API fill it)."""

    title_uk: str
    topics: list[str]
    target: str
    title_en: str = ""
    body_uk: str = ""
    body_en: str = ""
    kind: str = Kind.ANNOUNCEMENT
    outage_type: str = ""
    emergency: bool = False
    urgent: bool = False
    districts: list[str] = field(default_factory=list)
    area: Any = None
    buildings: list[int] = field(default_factory=list)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    publish_at: datetime | None = None
    expires_at: datetime | None = None


@dataclass
class Checked:
    draft: Draft
    topics: list[Topic]
    districts: list[str]
    area: MultiPolygon | None
    buildings: list[tuple[int, str]]


def check_draft(draft: Draft) -> Checked:
    """Validate a draft and derive its area, districts and affected buildings."""
    if not draft.title_uk.strip():
        raise NotificationError(NotificationsCode.BAD_TEXT, _("The Ukrainian title is required."))
    if len(draft.title_uk) > 200 or len(draft.title_en) > 200:
        raise NotificationError(NotificationsCode.BAD_TEXT,
                                _("A title may have at most 200 characters."))
    topics = topics_by_code(draft.topics)
    if not topics:
        raise NotificationError(NotificationsCode.BAD_TOPIC, _("Choose at least one topic."))
    if draft.kind not in Kind.values:
        raise NotificationError(NotificationsCode.BAD_OUTAGE,
                                _("Unknown kind: %(kind)s") % {"kind": draft.kind})
    if draft.kind == Kind.OUTAGE:
        if draft.outage_type not in OutageType.values:
            raise NotificationError(NotificationsCode.BAD_OUTAGE,
                                    _("An outage needs a type: water, heating, power, gas "
                                      "or other."))
        if draft.starts_at is None or draft.ends_at is None:
            raise NotificationError(NotificationsCode.BAD_TIMES,
                                    _("An outage needs a start and an end."))
    elif draft.outage_type:
        raise NotificationError(NotificationsCode.BAD_OUTAGE,
                                _("Only an outage has an outage type."))
    for name in ("starts_at", "ends_at", "publish_at", "expires_at"):
        value = getattr(draft, name)
        if value is not None and timezone.is_naive(value):
            setattr(draft, name, timezone.make_aware(value))
    if draft.starts_at and draft.ends_at and draft.ends_at <= draft.starts_at:
        raise NotificationError(NotificationsCode.BAD_TIMES,
                                _("The end must come after the start."))
    publish_at = draft.publish_at or timezone.now()
    if draft.expires_at and draft.expires_at <= publish_at:
        raise NotificationError(NotificationsCode.BAD_TIMES,
                                _("The expiry must come after publication."))
    districts: list[str] = []
    area: MultiPolygon | None = None
    buildings: list[tuple[int, str]] = []
    if draft.target == Target.CITY:
        pass
    elif draft.target == Target.DISTRICTS:
        districts = check_districts(draft.districts)
        if not districts:
            raise NotificationError(NotificationsCode.BAD_DISTRICT,
                                    _("Choose at least one district."))
        area = districts_area(districts)
    elif draft.target == Target.AREA:
        area = parse_area(draft.area)
        buildings = buildings_in(area)
        districts = districts_touching(area)
    elif draft.target == Target.BUILDINGS:
        ids = list(dict.fromkeys(int(i) for i in draft.buildings))
        if not ids:
            raise NotificationError(NotificationsCode.BAD_BUILDINGS,
                                    _("List at least one building."))
        found = {row.pk: row for row in buildings_by_id(ids)}
        missing = [str(i) for i in ids if i not in found]
        if missing:
            raise NotificationError(NotificationsCode.BAD_BUILDINGS,
                                    _("No such building(s) in the twin: %(ids)s")
                                    % {"ids": ", ".join(missing)})
        buildings = [(i, _building_label(found[i])) for i in ids]
        union = found[ids[0]].geometry
        for i in ids[1:]:
            union = union.union(found[i].geometry)
        area = union if isinstance(union, MultiPolygon) else MultiPolygon(union, srid=4326)
        districts = districts_touching(area)
    else:
        raise NotificationError(NotificationsCode.BAD_TARGET,
                                _("The target must be city, districts, area or buildings."))
    return Checked(draft, topics, districts, area, buildings)


def needs_approval(target: str) -> bool:
    """City-wide messages need a second person's approval."""
    return target == Target.CITY


def compose(user: Any, draft: Draft) -> Announcement:
    """Create an announcement; publish it now, schedule it, or hold it for approval."""
    check_may(user, "create")
    checked = check_draft(draft)
    with transaction.atomic():
        announcement = _create(checked, user)
        if needs_approval(announcement.target):
            announcement.status = Status.PENDING
            announcement.save(update_fields=["status"])
        else:
            _schedule(announcement)
    return announcement


def _create(checked: Checked, user: Any, source_key: str | None = None) -> Announcement:
    draft = checked.draft
    announcement = Announcement.objects.create(
        kind=draft.kind, outage_type=draft.outage_type, emergency=draft.emergency,
        urgent=draft.urgent or draft.emergency, title_uk=draft.title_uk.strip(),
        title_en=draft.title_en.strip(), body_uk=draft.body_uk.strip(),
        body_en=draft.body_en.strip(), target=draft.target, districts=checked.districts,
        area=checked.area, building_count=len(checked.buildings),
        starts_at=draft.starts_at, ends_at=draft.ends_at,
        publish_at=draft.publish_at or timezone.now(), expires_at=draft.expires_at,
        created_by=user if getattr(user, "pk", None) else None, source_key=source_key,
    )
    announcement.topics.set(checked.topics)
    AffectedBuilding.objects.bulk_create(
        (AffectedBuilding(announcement=announcement, building_id=pk, label=label[:300])
         for pk, label in checked.buildings), batch_size=2000)
    return announcement


def _schedule(announcement: Announcement) -> None:
    if announcement.publish_at <= timezone.now():
        publish_announcement(announcement)
    else:
        announcement.status = Status.SCHEDULED
        announcement.save(update_fields=["status"])


def approve(user: Any, announcement_id: int) -> Announcement:
    with transaction.atomic():
        announcement = access_announcement(user, announcement_id, "approve", for_update=True)
        if announcement.status != Status.PENDING:
            raise NotificationError(NotificationsCode.WRONG_STATUS,
                                    _("This announcement is not waiting for approval."))
        if announcement.created_by_id == user.pk:
            raise NotificationError(NotificationsCode.SAME_PERSON,
                                    _("A second person must approve a city-wide message."))
        announcement.approved_by = user
        announcement.save(update_fields=["approved_by"])
        _schedule(announcement)
    return announcement


def withdraw(user: Any, announcement_id: int) -> Announcement:
    with transaction.atomic():
        announcement = access_announcement(user, announcement_id, "change", for_update=True)
        if announcement.status == Status.WITHDRAWN:
            return announcement
        announcement.status = Status.WITHDRAWN
        announcement.expires_at = timezone.now()
        announcement.save(update_fields=["status", "expires_at"])
        # Deliveries not yet sent stay unsent.
        Delivery.objects.filter(message__announcement=announcement,
                                status="pending").update(status="skipped")
    return announcement


def publish_announcement(announcement: Announcement) -> None:
    """Publish now: status, events and the fan-out job commit together.

    Call inside a transaction. The runner then fans the announcement out.
    """
    now = timezone.now()
    announcement.status = Status.PUBLISHED
    announcement.published_at = now
    announcement.save(update_fields=["status", "published_at"])
    create_fanout(announcement)
    topics = list(announcement.topics.values_list("code", flat=True))
    publish(AnnouncementPublished(
        announcement_id=announcement.pk, topics=topics,
        target={"kind": announcement.target, "districts": announcement.districts,
                "building_count": announcement.building_count},
        urgent=announcement.urgent, title=announcement.title_uk, kind=announcement.kind,
    ))
    if announcement.kind == Kind.OUTAGE:
        publish(OutageAnnounced(
            announcement_id=announcement.pk, kind=announcement.outage_type,
            emergency=announcement.emergency, starts_at=announcement.starts_at,
            ends_at=announcement.ends_at, districts=announcement.districts,
            area_geojson=json.loads(announcement.area.geojson) if announcement.area else None,
            building_count=announcement.building_count, title=announcement.title_uk,
        ))


def publish_due(now: datetime | None = None) -> int:
    """Publish scheduled announcements whose time has come; returns how many."""
    now = now or timezone.now()
    count = 0
    for pk in Announcement.objects.filter(status=Status.SCHEDULED, publish_at__lte=now
                                          ).values_list("pk", flat=True)[:100]:
        with transaction.atomic():
            row = Announcement.objects.select_for_update().filter(
                pk=pk, status=Status.SCHEDULED).first()
            if row is not None:
                publish_announcement(row)
                count += 1
    return count


def announce_from_event(source_key: str, draft: Draft) -> Announcement | None:
    """An announcement made by an event (no author, no approval); once per source key."""
    if Announcement.objects.filter(source_key=source_key).exists():
        return None
    checked = check_draft(draft)
    with transaction.atomic():
        announcement = _create(checked, None, source_key=source_key)
        publish_announcement(announcement)
    return announcement
