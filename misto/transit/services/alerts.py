"""Service alerts: announced by the dispatchers, or taken from the notifications module's
transport announcements (``handlers.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from misto.transit.errors import TransitCode, TransitError
from misto.transit.models import Alert, Route, Stop
from misto.transit.services.feeds import current_feed


@dataclass(frozen=True)
class AlertIn:
    header: str
    header_en: str = ""
    description: str = ""
    description_en: str = ""
    effect: str = Alert.Effect.OTHER_EFFECT
    route_ids: tuple[str, ...] = ()
    stop_ids: tuple[str, ...] = ()
    starts_at: datetime | None = None
    ends_at: datetime | None = None


def access_alert(alert_id: int) -> Alert:
    alert = Alert.objects.filter(pk=alert_id).first()
    if alert is None:
        raise TransitError(TransitCode.NOT_FOUND, _("There is no such alert."))
    return alert


def check_alert(raw: AlertIn) -> AlertIn:
    """The alert, every route and stop it names known in the current timetable."""
    if not raw.header.strip():
        raise TransitError(TransitCode.INVALID, _("An alert needs a headline."), field="header")
    if raw.effect not in Alert.Effect.values:
        raise TransitError(TransitCode.INVALID, _("Unknown effect."), field="effect")
    if raw.starts_at and raw.ends_at and raw.ends_at <= raw.starts_at:
        raise TransitError(TransitCode.INVALID, _("An alert ends after it starts."),
                           field="ends_at")
    if raw.route_ids or raw.stop_ids:
        feed = current_feed()
        known_routes = set(Route.objects.filter(feed=feed, route_id__in=raw.route_ids)
                           .values_list("route_id", flat=True))
        known_stops = set(Stop.objects.filter(feed=feed, stop_id__in=raw.stop_ids)
                          .values_list("stop_id", flat=True))
        unknown = [r for r in raw.route_ids if r not in known_routes] + \
            [s for s in raw.stop_ids if s not in known_stops]
        if unknown:
            raise TransitError(TransitCode.INVALID, _("Unknown routes or stops: %(ids)s.")
                               % {"ids": ", ".join(unknown[:10])}, field="route_ids")
    return raw


def do_announce(alert: AlertIn, *, source: str = "staff", source_id: str = "") -> Alert:
    with transaction.atomic():
        return Alert.objects.create(
            header=alert.header.strip()[:200], header_en=alert.header_en.strip()[:200],
            description=alert.description, description_en=alert.description_en,
            effect=alert.effect, route_ids=list(alert.route_ids), stop_ids=list(alert.stop_ids),
            starts_at=alert.starts_at, ends_at=alert.ends_at, source=source,
            source_id=source_id)


def do_end(alert: Alert, now: datetime | None = None) -> Alert:
    now = now or timezone.now()
    if alert.ends_at is None or alert.ends_at > now:
        alert.ends_at = now
        alert.save(update_fields=["ends_at", "updated_at"])
    return alert
