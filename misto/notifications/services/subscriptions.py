"""Profiles, homes and subscriptions: what a resident follows and how to reach them.

A resident's home (address or register district), the topics x districts (or drawn area) they
follow, their channel switches, quiet hours and gateway addresses, and their Web Push
endpoints: everything the fan-out later reads to choose recipients and channels.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import time as dtime
from typing import Any

from django.contrib.gis.geos import GEOSGeometry, Polygon
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from misto import residents, twin
from misto.notifications.errors import NotificationError, NotificationsCode
from misto.notifications.models import (
    Channel,
    ChannelAddress,
    Profile,
    PushSubscription,
    Subscription,
    Topic,
)
from misto.notifications.services.access import access_subscription
from misto.notifications.services.topics import topics_by_code
from misto.notifications.services.twin import (
    _building_label,
    check_districts,
    district_codes,
    parse_area,
)


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
    label = query.strip()
    if lon is None or lat is None:
        if not label:
            raise NotificationError(NotificationsCode.BAD_ADDRESS, _("Enter your address."))
        hits = [hit for hit in twin.search(label, limit=5) if hit.kind in ("address",)]
        if not hits:
            raise NotificationError(NotificationsCode.BAD_ADDRESS,
                                    _("No address matches “%(query)s”.") % {"query": label})
        lon, lat, label = hits[0].lon, hits[0].lat, hits[0].label
    try:
        point = twin.check_lon_lat(lon, lat)
    except twin.TwinError as error:
        raise NotificationError(NotificationsCode.BAD_ADDRESS, error.message) from error
    district = twin.district_at(lon, lat)
    if district is None:
        raise NotificationError(NotificationsCode.BAD_ADDRESS, _("This place is outside the city."))
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
    summary = residents.person_summary(user)
    district = (summary or {}).get("district")
    if not district or district not in district_codes():
        return None
    return Home(label="", district=str(district), building_id=None)


def home_district(user: Any) -> str:
    """The resident's home district code: their own setting first, then the register's
    (one lookup for the cabinet's alerts and the notices page's "my district")."""
    own = Profile.objects.filter(user_id=int(getattr(user, "pk", None) or 0)).values_list(
        "home_district", flat=True).first()
    if own:
        return str(own)
    registered = registered_home(user)
    return registered.district if registered else ""


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
        raise NotificationError(NotificationsCode.BAD_DISTRICT,
                                _("Choose at least one district, or the whole city."))
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
        raise NotificationError(NotificationsCode.BAD_TOPIC, _("Choose at least one topic."))
    geometry = parse_area(area)
    polygon = geometry[0] if len(geometry) == 1 else geometry.convex_hull
    if not isinstance(polygon, Polygon):
        raise NotificationError(NotificationsCode.BAD_AREA, _("The area must be a polygon."))
    return Subscription.objects.bulk_create(
        Subscription(user=user, topic=topic, area=polygon) for topic in topics)


def remove_subscription(user: Any, subscription_id: int) -> None:
    access_subscription(user, subscription_id).delete()


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
        raise NotificationError(NotificationsCode.BAD_TEXT, _("Unknown setting(s): %(names)s")
                                % {"names": ", ".join(sorted(unknown))})
    # Quiet hours are wall-clock times in the city's time zone; an offset is ignored.
    quiet_start = quiet_start.replace(tzinfo=None) if quiet_start else None
    quiet_end = quiet_end.replace(tzinfo=None) if quiet_end else None
    if (quiet_start is None) != (quiet_end is None):
        raise NotificationError(NotificationsCode.BAD_QUIET_HOURS,
                                _("Give both ends of the quiet hours, or neither."))
    if quiet_start is not None and quiet_start == quiet_end:
        raise NotificationError(NotificationsCode.BAD_QUIET_HOURS,
                                _("Quiet hours must not start and end at the same time."))
    profile = profile_for(user)
    for name, enabled in flags.items():
        setattr(profile, name, bool(enabled))
    profile.quiet_start, profile.quiet_end = quiet_start, quiet_end
    if language is not None:
        if language not in ("uk", "en"):
            raise NotificationError(NotificationsCode.BAD_TEXT, _("Language must be uk or en."))
        profile.language = language
    profile.save()
    for channel, address in (addresses or {}).items():
        if channel not in (Channel.SMS, Channel.TELEGRAM, Channel.VIBER):
            raise NotificationError(NotificationsCode.BAD_TEXT,
                                    _("Unknown channel: %(channel)s") % {"channel": channel})
        address = address.strip()
        if not address:
            ChannelAddress.objects.filter(user=user, channel=channel).delete()
            continue
        if channel == Channel.SMS and not _is_phone(address):
            raise NotificationError(NotificationsCode.BAD_ADDRESS,
                                    _("A phone number looks like +380XXXXXXXXX."))
        if len(address) > 200:
            raise NotificationError(NotificationsCode.BAD_ADDRESS, _("The address is too long."))
        ChannelAddress.objects.update_or_create(user=user, channel=channel,
                                                defaults={"address": address})
    return profile


def _is_phone(text: str) -> bool:
    digits = text.replace(" ", "").replace("-", "")
    return digits.startswith("+") and digits[1:].isdigit() and 10 <= len(digits) <= 16


def add_push_subscription(user: Any, endpoint: str, p256dh: str, auth: str
                          ) -> PushSubscription:
    if not endpoint.startswith("https://") and not endpoint.startswith("http://127.0.0.1"):
        raise NotificationError(NotificationsCode.BAD_ADDRESS,
                                _("A push endpoint must be an https:// URL."))
    if not p256dh or not auth or len(p256dh) > 200 or len(auth) > 100:
        raise NotificationError(NotificationsCode.BAD_ADDRESS,
                                _("The push subscription keys are missing."))
    row, _created = PushSubscription.objects.update_or_create(
        endpoint=endpoint[:1000], defaults={"user": user, "p256dh": p256dh, "auth": auth})
    return row
