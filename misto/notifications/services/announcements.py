"""Domain operations of the notifications module: subscriptions, announcements, fan-out.

Views, the API, commands, event handlers and the runner call these functions and nothing
else. ``check_*`` functions validate and raise :class:`NotificationError` with a stable
code; the others change the database and publish events in the same transaction.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from datetime import time as dtime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Point, Polygon
from django.core import signing
from django.db import connection, transaction
from django.db.models import Max, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from misto.core.bus import publish
from misto.core.permissions import can
from misto.notifications import conf
from misto.notifications.models import (
    AffectedBuilding,
    Announcement,
    Channel,
    ChannelAddress,
    Delivery,
    FanOut,
    FanOutPart,
    FanOutStage,
    Kind,
    Message,
    OutageType,
    Profile,
    PushSubscription,
    Status,
    Subscription,
    Target,
    Topic,
)

# --- Errors -----------------------------------------------------------------------------

BAD_TOPIC = "bad_topic"
BAD_TARGET = "bad_target"
BAD_AREA = "bad_area"
BAD_DISTRICT = "bad_district"
BAD_BUILDINGS = "bad_buildings"
BAD_TIMES = "bad_times"
BAD_TEXT = "bad_text"
BAD_OUTAGE = "bad_outage"
BAD_QUIET_HOURS = "bad_quiet_hours"
BAD_ADDRESS = "bad_address"
BAD_TOKEN = "bad_token"
FORBIDDEN = "forbidden"
NOT_FOUND = "not_found"
SAME_PERSON = "same_person"
WRONG_STATUS = "wrong_status"


class NotificationError(Exception):
    """Bad input or a forbidden step; ``code`` is stable, ``message`` is for people."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


# --- Topics -----------------------------------------------------------------------------

DEFAULT_TOPICS = [
    # (code, Ukrainian, English)
    ("housing", "ЖКГ", "Housing and utilities"),
    ("education", "Освіта", "Education"),
    ("traffic", "Транспорт", "Traffic"),
    ("events", "Події", "Local events"),
    ("safety", "Безпека", "Safety"),
    ("environment", "Довкілля", "Environment"),
]


def ensure_default_topics() -> int:
    """Create the default topics that are missing; returns how many were created."""
    created = 0
    for position, (code, title_uk, title_en) in enumerate(DEFAULT_TOPICS):
        _topic, made = Topic.objects.get_or_create(
            code=code, defaults={"title_uk": title_uk, "title_en": title_en,
                                 "position": position})
        created += int(made)
    return created


def active_topics() -> list[Topic]:
    return list(Topic.objects.filter(active=True))


def topics_by_code(codes: Iterable[str]) -> list[Topic]:
    wanted = [code.strip() for code in codes if code and code.strip()]
    found = {t.code: t for t in Topic.objects.filter(code__in=wanted, active=True)}
    unknown = [code for code in wanted if code not in found]
    if unknown:
        raise NotificationError(
            _("Unknown topic(s): %(codes)s") % {"codes": ", ".join(unknown)}, BAD_TOPIC)
    return [found[code] for code in dict.fromkeys(wanted)]


# --- The twin, through its public functions ------------------------------------------------


def _twin() -> Any:
    import misto.twin

    return misto.twin


def district_codes() -> dict[str, str]:
    """KATOTTG code -> district name, from the twin."""
    return {d.katottg: d.name for d in _twin().districts() if d.katottg}


def check_districts(codes: Iterable[str]) -> list[str]:
    known = district_codes()
    wanted = list(dict.fromkeys(code.strip() for code in codes if code and code.strip()))
    unknown = [code for code in wanted if code not in known]
    if unknown:
        raise NotificationError(
            _("Unknown district code(s): %(codes)s") % {"codes": ", ".join(unknown)},
            BAD_DISTRICT)
    return wanted


def parse_area(value: str | dict[str, Any] | GEOSGeometry | None) -> MultiPolygon:
    """A drawn area (GeoJSON Polygon/MultiPolygon, a Feature of one, or WKT) as MultiPolygon,
    read by the twin's one area reader."""
    if value is None or value == "" or value == {}:
        raise NotificationError(_("Draw an area on the map."), BAD_AREA)
    twin = _twin()
    try:
        return twin.as_multipolygon(twin.parse_area(value))
    except twin.TwinError as error:
        raise NotificationError(error.message, BAD_AREA) from error


def districts_area(codes: Sequence[str]) -> MultiPolygon | None:
    """The union of these districts (the twin's), or None when none is known."""
    return _twin().districts_union(codes)


def districts_touching(area: GEOSGeometry) -> list[str]:
    """The KATOTTG codes of the districts an area meets (the twin's)."""
    return _twin().districts_touching(area)


def buildings_in(area: GEOSGeometry) -> list[tuple[int, str]]:
    """The twin's buildings an area covers: (feature id, address label)."""
    rows = _twin().features_within(area, "buildings").order_by("pk")
    return [(row.pk, _building_label(row)) for row in rows.only("pk", "name", "properties")]


def _building_label(feature: Any) -> str:
    props = feature.properties or {}
    street, house = props.get("street", ""), props.get("housenumber", "")
    return f"{street} {house}".strip() or feature.name or str(feature.pk)


def buildings_by_id(ids: Sequence[int]) -> list[Any]:
    rows = _twin().features_in_bbox((-180.0, -90.0, 180.0, 90.0), layers=["buildings"])
    return list(rows.filter(pk__in=list(ids)))


# --- Profiles, homes and subscriptions ------------------------------------------------------


def profile_for(user: Any) -> Profile:
    profile, _created = Profile.objects.get_or_create(user=user)
    return profile


@dataclass(frozen=True)
class Home:
    label: str
    district: str
    building_id: int | None


def resolve_home(query: str = "", lon: float | None = None, lat: float | None = None) -> Home:
    """An address (searched in the twin) or a point -> district and building."""
    twin = _twin()
    label = query.strip()
    if lon is None or lat is None:
        if not label:
            raise NotificationError(_("Enter your address."), BAD_ADDRESS)
        hits = [hit for hit in twin.search(label, limit=5) if hit.kind in ("address",)]
        if not hits:
            raise NotificationError(
                _("No address matches “%(query)s”.") % {"query": label}, BAD_ADDRESS)
        lon, lat, label = hits[0].lon, hits[0].lat, hits[0].label
    try:
        point = twin.check_lon_lat(lon, lat)
    except twin.TwinError as error:
        raise NotificationError(error.message, BAD_ADDRESS) from error
    district = twin.district_at(lon, lat)
    if district is None:
        raise NotificationError(_("This place is outside the city."), BAD_ADDRESS)
    # The building the address point lies in (or the nearest within ~15 m).
    buildings = list(twin.features_within(point, "buildings")[:1])
    if not buildings:
        buildings = list(twin.features_within(point.buffer(0.0002), "buildings")[:1])
    building_id = buildings[0].pk if buildings else None
    if not label and buildings:
        label = _building_label(buildings[0])
    return Home(label=label or f"{lat:.5f}, {lon:.5f}", district=district.katottg,
                building_id=building_id)


def registered_home(user: Any) -> Home | None:
    """The default home from the residents' register: its district (the register does not
    hand out addresses), through the residents module's public ``person_summary``."""
    import misto.residents

    summary_of = getattr(misto.residents, "person_summary", None)
    summary = summary_of(user) if summary_of is not None else None
    district = (summary or {}).get("district")
    if not district or district not in district_codes():
        return None
    return Home(label="", district=str(district), building_id=None)


@transaction.atomic
def set_home(user: Any, home: Home, *, default_topics: bool = True) -> Profile:
    """Store the resident's home; with ``default_topics`` subscribe the default topics
    for the home district where the resident follows nothing yet (sensible defaults)."""
    profile = profile_for(user)
    if not home.label and home.building_id is None and profile.home_building_id is not None:
        return profile  # a district-only default never overwrites an address the user gave
    profile.home_label = home.label[:300]
    profile.home_district = home.district
    profile.home_building_id = home.building_id
    profile.save(update_fields=["home_label", "home_district", "home_building_id"])
    if default_topics and not Subscription.objects.filter(user=user).exists():
        Subscription.objects.bulk_create(
            Subscription(user=user, topic=topic, district=home.district)
            for topic in Topic.objects.filter(active=True, default=True)
        )
    return profile


@transaction.atomic
def set_subscriptions(user: Any, topic_codes: Iterable[str], districts: Iterable[str],
                      *, city_wide: bool = False) -> list[Subscription]:
    """Replace the resident's district (and city-wide) subscriptions with these topics x
    districts; drawn-area subscriptions are kept."""
    topics = topics_by_code(topic_codes)
    codes = check_districts(districts)
    if topics and not codes and not city_wide:
        raise NotificationError(_("Choose at least one district, or the whole city."),
                                BAD_DISTRICT)
    Subscription.objects.filter(user=user, area__isnull=True).delete()
    rows = [Subscription(user=user, topic=topic, district=code)
            for topic in topics for code in codes]
    if city_wide:
        rows += [Subscription(user=user, topic=topic, district="") for topic in topics]
    return Subscription.objects.bulk_create(rows)


@transaction.atomic
def subscribe_area(user: Any, topic_codes: Iterable[str],
                   area: str | dict[str, Any] | GEOSGeometry) -> list[Subscription]:
    topics = topics_by_code(topic_codes)
    if not topics:
        raise NotificationError(_("Choose at least one topic."), BAD_TOPIC)
    geometry = parse_area(area)
    polygon = geometry[0] if len(geometry) == 1 else geometry.convex_hull
    if not isinstance(polygon, Polygon):
        raise NotificationError(_("The area must be a polygon."), BAD_AREA)
    return Subscription.objects.bulk_create(
        Subscription(user=user, topic=topic, area=polygon) for topic in topics)


def remove_subscription(user: Any, subscription_id: int) -> None:
    deleted, _rows = Subscription.objects.filter(user=user, pk=subscription_id).delete()
    if not deleted:
        raise NotificationError(_("No such subscription."), NOT_FOUND)


def subscriptions_of(user: Any) -> QuerySet[Subscription]:
    return Subscription.objects.filter(user=user).select_related("topic").order_by(
        "topic__position", "district", "pk")


PROFILE_FLAGS = ("email_enabled", "push_enabled", "sms_enabled", "telegram_enabled",
                 "viber_enabled", "report_updates")


@transaction.atomic
def update_preferences(user: Any, *, quiet_start: dtime | None = None,
                       quiet_end: dtime | None = None, language: str | None = None,
                       addresses: dict[str, str] | None = None,
                       **flags: bool) -> Profile:
    """Channels on/off, quiet hours (both or neither), language, gateway addresses."""
    unknown = set(flags) - set(PROFILE_FLAGS)
    if unknown:
        raise NotificationError(_("Unknown setting(s): %(names)s")
                                % {"names": ", ".join(sorted(unknown))}, BAD_TEXT)
    # Quiet hours are wall-clock times in the city's time zone; an offset is ignored.
    quiet_start = quiet_start.replace(tzinfo=None) if quiet_start else None
    quiet_end = quiet_end.replace(tzinfo=None) if quiet_end else None
    if (quiet_start is None) != (quiet_end is None):
        raise NotificationError(_("Give both ends of the quiet hours, or neither."),
                                BAD_QUIET_HOURS)
    if quiet_start is not None and quiet_start == quiet_end:
        raise NotificationError(_("Quiet hours must not start and end at the same time."),
                                BAD_QUIET_HOURS)
    profile = profile_for(user)
    for name, enabled in flags.items():
        setattr(profile, name, bool(enabled))
    profile.quiet_start, profile.quiet_end = quiet_start, quiet_end
    if language is not None:
        if language not in ("uk", "en"):
            raise NotificationError(_("Language must be uk or en."), BAD_TEXT)
        profile.language = language
    profile.save()
    for channel, address in (addresses or {}).items():
        if channel not in (Channel.SMS, Channel.TELEGRAM, Channel.VIBER):
            raise NotificationError(_("Unknown channel: %(channel)s") % {"channel": channel},
                                    BAD_TEXT)
        address = address.strip()
        if not address:
            ChannelAddress.objects.filter(user=user, channel=channel).delete()
            continue
        if channel == Channel.SMS and not _is_phone(address):
            raise NotificationError(
                _("A phone number looks like +380XXXXXXXXX."), BAD_ADDRESS)
        if len(address) > 200:
            raise NotificationError(_("The address is too long."), BAD_ADDRESS)
        ChannelAddress.objects.update_or_create(user=user, channel=channel,
                                                defaults={"address": address})
    return profile


def _is_phone(text: str) -> bool:
    digits = text.replace(" ", "").replace("-", "")
    return digits.startswith("+") and digits[1:].isdigit() and 10 <= len(digits) <= 16


def add_push_subscription(user: Any, endpoint: str, p256dh: str, auth: str
                          ) -> PushSubscription:
    if not endpoint.startswith("https://") and not endpoint.startswith("http://127.0.0.1"):
        raise NotificationError(_("A push endpoint must be an https:// URL."), BAD_ADDRESS)
    if not p256dh or not auth or len(p256dh) > 200 or len(auth) > 100:
        raise NotificationError(_("The push subscription keys are missing."), BAD_ADDRESS)
    row, _created = PushSubscription.objects.update_or_create(
        endpoint=endpoint[:1000], defaults={"user": user, "p256dh": p256dh, "auth": auth})
    return row


# --- One-click unsubscribe ------------------------------------------------------------------

UNSUBSCRIBE_SALT = "misto.notifications.unsubscribe"


def unsubscribe_token(user_id: int, topics: Sequence[str] = (), scope: str = "topics") -> str:
    """A signed token naming the user and what to stop: topics, or report updates."""
    return signing.dumps({"u": user_id, "t": list(topics), "s": scope}, salt=UNSUBSCRIBE_SALT,
                         compress=True)


@dataclass(frozen=True)
class Unsubscribe:
    user_id: int
    topics: list[str]
    scope: str


def read_unsubscribe_token(token: str) -> Unsubscribe:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        return Unsubscribe(int(data["u"]), [str(t) for t in data.get("t", [])],
                           str(data.get("s", "topics")))
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise NotificationError(_("This unsubscribe link is not valid."), BAD_TOKEN) from error


@transaction.atomic
def unsubscribe(token: str) -> Unsubscribe:
    """Apply a one-click unsubscribe link (idempotent)."""
    request = read_unsubscribe_token(token)
    if request.scope == "reports":
        Profile.objects.update_or_create(user_id=request.user_id,
                                         defaults={"report_updates": False})
    else:
        rows = Subscription.objects.filter(user_id=request.user_id)
        if request.topics:
            rows = rows.filter(topic__code__in=request.topics)
        rows.delete()
    return request


# --- Announcements --------------------------------------------------------------------------


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
        raise NotificationError(_("The Ukrainian title is required."), BAD_TEXT)
    if len(draft.title_uk) > 200 or len(draft.title_en) > 200:
        raise NotificationError(_("A title may have at most 200 characters."), BAD_TEXT)
    topics = topics_by_code(draft.topics)
    if not topics:
        raise NotificationError(_("Choose at least one topic."), BAD_TOPIC)
    if draft.kind not in Kind.values:
        raise NotificationError(_("Unknown kind: %(kind)s") % {"kind": draft.kind}, BAD_OUTAGE)
    if draft.kind == Kind.OUTAGE:
        if draft.outage_type not in OutageType.values:
            raise NotificationError(_("An outage needs a type: water, heating, power, gas "
                                      "or other."), BAD_OUTAGE)
        if draft.starts_at is None or draft.ends_at is None:
            raise NotificationError(_("An outage needs a start and an end."), BAD_TIMES)
    elif draft.outage_type:
        raise NotificationError(_("Only an outage has an outage type."), BAD_OUTAGE)
    for name in ("starts_at", "ends_at", "publish_at", "expires_at"):
        value = getattr(draft, name)
        if value is not None and timezone.is_naive(value):
            setattr(draft, name, timezone.make_aware(value))
    if draft.starts_at and draft.ends_at and draft.ends_at <= draft.starts_at:
        raise NotificationError(_("The end must come after the start."), BAD_TIMES)
    publish_at = draft.publish_at or timezone.now()
    if draft.expires_at and draft.expires_at <= publish_at:
        raise NotificationError(_("The expiry must come after publication."), BAD_TIMES)
    districts: list[str] = []
    area: MultiPolygon | None = None
    buildings: list[tuple[int, str]] = []
    if draft.target == Target.CITY:
        pass
    elif draft.target == Target.DISTRICTS:
        districts = check_districts(draft.districts)
        if not districts:
            raise NotificationError(_("Choose at least one district."), BAD_DISTRICT)
        area = districts_area(districts)
    elif draft.target == Target.AREA:
        area = parse_area(draft.area)
        buildings = buildings_in(area)
        districts = districts_touching(area)
    elif draft.target == Target.BUILDINGS:
        ids = list(dict.fromkeys(int(i) for i in draft.buildings))
        if not ids:
            raise NotificationError(_("List at least one building."), BAD_BUILDINGS)
        found = {row.pk: row for row in buildings_by_id(ids)}
        missing = [str(i) for i in ids if i not in found]
        if missing:
            raise NotificationError(_("No such building(s) in the twin: %(ids)s")
                                    % {"ids": ", ".join(missing)}, BAD_BUILDINGS)
        buildings = [(i, _building_label(found[i])) for i in ids]
        union = found[ids[0]].geometry
        for i in ids[1:]:
            union = union.union(found[i].geometry)
        area = union if isinstance(union, MultiPolygon) else MultiPolygon(union, srid=4326)
        districts = districts_touching(area)
    else:
        raise NotificationError(_("The target must be city, districts, area or buildings."),
                                BAD_TARGET)
    return Checked(draft, topics, districts, area, buildings)


def may(user: Any, verb: str) -> bool:
    """Staff work on announcements: a role that may ``notifications.announcement.<verb>``
    (see misto/notifications/permissions.py)."""
    return can(user, f"notifications.announcement.{verb}")


def needs_approval(target: str) -> bool:
    """City-wide messages need a second person's approval."""
    return target == Target.CITY


def compose(user: Any, draft: Draft) -> Announcement:
    """Create an announcement; publish it now, schedule it, or hold it for approval."""
    if not may(user, "create"):
        raise NotificationError(_("Only staff may compose announcements."), FORBIDDEN)
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
    if not may(user, "approve"):
        raise NotificationError(_("Only staff may approve announcements."), FORBIDDEN)
    with transaction.atomic():
        announcement = _locked(announcement_id)
        if announcement.status != Status.PENDING:
            raise NotificationError(_("This announcement is not waiting for approval."),
                                    WRONG_STATUS)
        if announcement.created_by_id == user.pk:
            raise NotificationError(_("A second person must approve a city-wide message."),
                                    SAME_PERSON)
        announcement.approved_by = user
        announcement.save(update_fields=["approved_by"])
        _schedule(announcement)
    return announcement


def withdraw(user: Any, announcement_id: int) -> Announcement:
    if not may(user, "change"):
        raise NotificationError(_("Only staff may withdraw announcements."), FORBIDDEN)
    with transaction.atomic():
        announcement = _locked(announcement_id)
        if announcement.status == Status.WITHDRAWN:
            return announcement
        announcement.status = Status.WITHDRAWN
        announcement.expires_at = timezone.now()
        announcement.save(update_fields=["status", "expires_at"])
        # Deliveries not yet sent stay unsent.
        Delivery.objects.filter(message__announcement=announcement,
                                status="pending").update(status="skipped")
    return announcement


def _locked(announcement_id: int) -> Announcement:
    row = Announcement.objects.select_for_update().filter(pk=announcement_id).first()
    if row is None:
        raise NotificationError(_("No such announcement."), NOT_FOUND)
    return row


def publish_announcement(announcement: Announcement) -> None:
    """Publish now: status, events and the fan-out job commit together.

    Call inside a transaction. The runner then fans the announcement out.
    """
    from misto.notifications.events import AnnouncementPublished, OutageAnnounced

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


# --- Fan-out --------------------------------------------------------------------------------


def _intersects(left: str, right: str) -> str:
    if connection.vendor == "postgresql":
        return f"ST_Intersects({left}, {right})"
    return f"ST_Intersects({left}, {right}) = 1"


def _recipients_where(announcement: Announcement) -> tuple[str, list[Any]]:
    """SQL over ``notifications_subscription s`` choosing the announcement's recipients."""
    clauses = ["s.topic_id IN (SELECT t.topic_id FROM notifications_announcement_topics t "
               "WHERE t.announcement_id = %s)"]
    params: list[Any] = [announcement.pk]
    area_match = ("(s.area IS NOT NULL AND "
                  + _intersects("s.area", "(SELECT x.area FROM notifications_announcement x "
                                "WHERE x.id = %s)") + ")")
    if announcement.target == Target.CITY:
        pass
    elif announcement.target == Target.DISTRICTS:
        marks = ", ".join(["%s"] * len(announcement.districts)) or "NULL"
        clauses.append(f"(s.district IN ({marks}) OR {area_match})")
        params += [*announcement.districts, announcement.pk]
    else:
        clauses.append(
            "(s.user_id IN (SELECT p.user_id FROM notifications_profile p "
            "JOIN notifications_affectedbuilding b ON b.building_id = p.home_building_id "
            f"WHERE b.announcement_id = %s) OR {area_match})")
        params += [announcement.pk, announcement.pk]
    return " AND ".join(clauses), params


def _dt(value: datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _insert_inbox_chunk(announcement: Announcement, low: int, high: int) -> int:
    """Inbox rows for the recipients with user ids in (low, high]; call holding the part lock.

    Under the part's lock nobody else writes this range of the announcement's rows, and a
    part's rows commit together with its ``done`` mark, so a part normally starts empty: then
    a plain insert is used (the unique key still guards it). If rows are already there (a
    fan-out restarted by staff), ``ON CONFLICT DO NOTHING`` skips them.
    """
    where, params = _recipients_where(announcement)
    started = Message.objects.filter(announcement_id=announcement.pk, user_id__gt=low,
                                     user_id__lte=high).exists()
    sql = (
        "INSERT INTO notifications_message "
        "(announcement_id, user_id, created_at, urgent) "
        "SELECT %s, r.user_id, %s, %s FROM ("
        "SELECT DISTINCT s.user_id FROM notifications_subscription s "
        f"WHERE {where} AND s.user_id > %s AND s.user_id <= %s) r "
        # In user order: the indexes then grow at their right edge instead of at random
        # pages (measured: twice as fast on PostgreSQL).
        "WHERE r.user_id IS NOT NULL ORDER BY r.user_id"
        + (" ON CONFLICT DO NOTHING" if started else "")
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [announcement.pk, _dt(timezone.now()), announcement.urgent,
                             *params, low, high])
        return max(cursor.rowcount, 0)


def _plan_deliveries_chunk(announcement_id: int | None, low: int, high: int,
                           message_ids: Sequence[int] | None = None) -> int:
    """Delivery rows for the messages of users in (low, high], per enabled channel."""
    user_table = get_user_model()._meta.db_table
    if message_ids is not None:
        marks = ", ".join(["%s"] * len(message_ids)) or "NULL"
        scope = f"m.id IN ({marks})"
        scope_params: list[Any] = list(message_ids)
    else:
        scope = "m.announcement_id = %s AND m.user_id > %s AND m.user_id <= %s"
        scope_params = [announcement_id, low, high]
    channels = {
        Channel.EMAIL: "u.email <> '' AND COALESCE(p.email_enabled, %s)",
        Channel.PUSH: ("COALESCE(p.push_enabled, %s) AND EXISTS (SELECT 1 FROM "
                       "notifications_pushsubscription ps WHERE ps.user_id = m.user_id)"),
    }
    defaults = {Channel.EMAIL: True, Channel.PUSH: True, Channel.SMS: False,
                Channel.TELEGRAM: True, Channel.VIBER: True}
    for gateway in (Channel.SMS, Channel.TELEGRAM, Channel.VIBER):
        channels[gateway] = (
            f"COALESCE(p.{gateway}_enabled, %s) AND EXISTS (SELECT 1 FROM "
            "notifications_channeladdress ca WHERE ca.user_id = m.user_id "
            f"AND ca.channel = '{gateway}')")
    total = 0
    now = _dt(timezone.now())
    with connection.cursor() as cursor:
        for channel, condition in channels.items():
            cursor.execute(
                "INSERT INTO notifications_delivery (message_id, channel, status, attempts, "
                "next_attempt_at, last_error, provider_ref) "
                "SELECT m.id, %s, 'pending', 0, %s, '', '' "
                f"FROM notifications_message m JOIN {user_table} u ON u.id = m.user_id "
                "LEFT JOIN notifications_profile p ON p.user_id = m.user_id "
                f"WHERE {scope} AND u.is_active AND {condition} "
                "ORDER BY m.id ON CONFLICT DO NOTHING",
                [str(channel), now, *scope_params, defaults[channel]],
            )
            total += max(cursor.rowcount, 0)
    return total


def create_fanout(announcement: Announcement) -> FanOut:
    """The fan-out job and its parts (ranges of ``MISTO_NOTIFY_CHUNK`` user ids per stage)."""
    upper = Subscription.objects.aggregate(top=Max("user_id"))["top"] or 0
    job, created = FanOut.objects.get_or_create(announcement=announcement,
                                                defaults={"upper": upper})
    if created:
        width = conf.chunk_size()
        FanOutPart.objects.bulk_create(
            (FanOutPart(fanout=job, stage=stage, low=low, high=min(low + width, upper))
             for stage in (FanOutStage.INBOX, FanOutStage.DELIVERIES)
             for low in range(0, upper, width)), batch_size=1000)
        if not upper:
            FanOut.objects.filter(pk=job.pk).update(stage=FanOutStage.DONE,
                                                    finished_at=timezone.now())
    return job


def _settle(job: FanOut) -> None:
    """Move the job's stage on when the parts of its stage are all done."""
    parts = FanOutPart.objects.filter(fanout_id=job.pk)
    if job.stage == FanOutStage.INBOX and not parts.filter(stage=FanOutStage.INBOX,
                                                           done=False).exists():
        totals = parts.filter(stage=FanOutStage.INBOX).aggregate(rows=Sum("rows"))
        FanOut.objects.filter(pk=job.pk, stage=FanOutStage.INBOX).update(
            stage=FanOutStage.DELIVERIES, recipients=totals["rows"] or 0)
        job.stage = FanOutStage.DELIVERIES
    if job.stage == FanOutStage.DELIVERIES and not parts.filter(done=False).exists():
        FanOut.objects.filter(pk=job.pk).exclude(stage=FanOutStage.DONE).update(
            stage=FanOutStage.DONE, finished_at=timezone.now(),
            chunks=parts.filter(done=True).count())


def fanout_step(fanout_id: int) -> bool:
    """Do one part of a fan-out in one transaction; False when no part is left to take.

    The part row is locked (``SKIP LOCKED``: another worker takes the next part), and its
    rows commit together with its ``done`` mark (a crash loses neither half). Delivery
    planning of a range waits for that range's inbox rows.
    """
    with transaction.atomic():
        job = FanOut.objects.select_related("announcement").filter(pk=fanout_id).first()
        if job is None or job.stage == FanOutStage.DONE:
            return False
        announcement = job.announcement
        if announcement.status == Status.WITHDRAWN:
            FanOut.objects.filter(pk=job.pk).update(stage=FanOutStage.DONE,
                                                    finished_at=timezone.now())
            return False
        inbox_done = FanOutPart.objects.filter(fanout_id=job.pk, stage=FanOutStage.INBOX,
                                               done=True).values("low")
        part = (FanOutPart.objects.select_for_update(skip_locked=True)
                .filter(fanout_id=job.pk, done=False)
                .filter(Q(stage=FanOutStage.INBOX)
                        | Q(stage=FanOutStage.DELIVERIES, low__in=inbox_done))
                .order_by("-stage", "low").first())
        if part is None:
            _settle(job)
            return False
        if part.stage == FanOutStage.INBOX:
            part.rows = _insert_inbox_chunk(announcement, part.low, part.high)
        else:
            part.rows = _plan_deliveries_chunk(announcement.pk, part.low, part.high)
        part.done = True
        part.save(update_fields=["rows", "done"])
    return True


def restart_fanout(fanout_id: int) -> None:
    """Run a fan-out again from the start (staff repair); the unique keys skip what exists."""
    with transaction.atomic():
        FanOutPart.objects.filter(fanout_id=fanout_id).update(done=False, rows=0)
        FanOut.objects.filter(pk=fanout_id).update(stage=FanOutStage.INBOX, finished_at=None)


def _work(fanout_id: int, rest: float, stop: Any) -> None:
    while fanout_step(fanout_id):
        if stop is not None and stop.is_set():
            return
        if rest:
            time.sleep(rest)


def _work_in_thread(fanout_id: int, rest: float, stop: Any) -> None:
    try:
        _work(fanout_id, rest, stop)
    finally:
        connection.close()


def run_fanout(fanout_id: int, *, workers: int = 1, pause: float | None = None,
               stop: Any = None) -> None:
    """Run a fan-out to its end (resuming wherever an earlier run stopped).

    ``workers`` > 1 adds threads with connections of their own (PostgreSQL; the data must
    be committed, i.e. not inside a test's transaction).
    """
    rest = conf.chunk_pause() if pause is None else pause
    threads = [threading.Thread(target=_work_in_thread, args=(fanout_id, rest, stop),
                                name=f"fanout-{fanout_id}-{n}", daemon=True)
               for n in range(1, workers)]
    for thread in threads:
        thread.start()
    _work(fanout_id, rest, stop)
    for thread in threads:
        thread.join()
    job = FanOut.objects.filter(pk=fanout_id).first()
    if job is not None:
        _settle(job)


def pending_fanouts() -> list[int]:
    return list(FanOut.objects.exclude(stage=FanOutStage.DONE).order_by("pk")
                .values_list("pk", flat=True))


def run_pending_fanouts(stop: Any = None) -> int:
    jobs = pending_fanouts()
    for job_id in jobs:
        run_fanout(job_id, workers=conf.fanout_workers(), stop=stop)
    return len(jobs)


# --- Personal notices from events -----------------------------------------------------------


def notify_users(user_ids: Iterable[int], source_key: str, data: dict[str, Any], *,
                 urgent: bool = False, only_report_followers: bool = False) -> int:
    """Inbox rows (and channel deliveries) for a few named users, once per source key."""
    User = get_user_model()
    ids = set(User.objects.filter(pk__in=[int(i) for i in user_ids if i], is_active=True)
              .values_list("pk", flat=True))
    if only_report_followers:
        ids -= set(Profile.objects.filter(user_id__in=ids, report_updates=False)
                   .values_list("user_id", flat=True))
    if not ids:
        return 0
    with transaction.atomic():
        Message.objects.bulk_create(
            [Message(user_id=pk, source_key=source_key[:80], data=data, urgent=urgent)
             for pk in sorted(ids)], ignore_conflicts=True)
        message_ids = list(Message.objects.filter(source_key=source_key[:80], user_id__in=ids)
                           .values_list("pk", flat=True))
        _plan_deliveries_chunk(None, 0, 0, message_ids=message_ids)
        _plan_contact_deliveries(message_ids)
    return len(message_ids)


def _plan_contact_deliveries(message_ids: Sequence[int]) -> int:
    """Deliveries to the address an account confirmed by a code to receive updates.

    A reporter who follows a report without an account (docs/reports.md) has an account
    with no e-mail of its own and no settings: they gave one address for exactly these
    updates, which the residents module keeps (encrypted) and hands out for sending. The
    channel's own switch still decides once the resident has settings; a phone given for
    updates switches SMS on (it is off by default for everyone else).
    """
    from misto.residents import contact_address  # always on

    rows: list[Delivery] = []
    for message in (Message.objects.filter(pk__in=message_ids, user__email="")
                    .select_related("user")):
        profile = Profile.objects.filter(user_id=message.user_id).first()
        for channel in (Channel.EMAIL, Channel.SMS):
            if not contact_address(message.user, channel):
                continue
            if profile is None and channel == Channel.SMS:
                profile = Profile.objects.create(user_id=message.user_id, sms_enabled=True)
            if profile is None or getattr(profile, f"{channel}_enabled"):
                rows.append(Delivery(message=message, channel=channel))
    return len(Delivery.objects.bulk_create(rows, ignore_conflicts=True))


# --- Reading: inbox and public feeds --------------------------------------------------------


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


def visible_announcement(announcement_id: int, user: Any = None) -> Announcement:
    row = Announcement.objects.filter(pk=announcement_id).prefetch_related("topics").first()
    if row is None or (row.status != Status.PUBLISHED
                       and not (user is not None and may(user, "view"))):
        raise NotificationError(_("No such announcement."), NOT_FOUND)
    return row


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
