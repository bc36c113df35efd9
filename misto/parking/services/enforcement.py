"""The inspectors' check, as Helsinki Parkkihubi's ``check_parking``: may this plate stand
where it stands, now (or at ``time``)? The answer names the zone, until when, and why:

- no zone there, a free zone or free hours: allowed (``no_zone``, ``free_zone``, ``free_hours``);
- a valid permit for the zone (or a disability permit anywhere): allowed until it ends;
- a residents' zone without one: not allowed (``no_permit``);
- a session in the zone running at that time, or a booking covering it: allowed until its
  end (``session``, ``booking``);
- a session that ended less than ``MISTO_PARKING_GRACE_MINUTES`` ago: not allowed,
  ``expired``, with its end time (the inspector sees it just ran out);
- otherwise not allowed, ``no_session``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from misto import twin
from misto.parking import plates
from misto.parking.models import Booking, Permit, PermitKind, Session, Zone, ZoneKind
from misto.parking.services import tariffs as tariff_math
from misto.parking.services.settings import grace_minutes
from misto.parking.services.zones import zone_at

REASONS: dict[str, Promise] = {
    "no_zone": _("No parking zone here: parking is not regulated."),
    "free_zone": _("A free zone."),
    "free_hours": _("Parking is free at this hour."),
    "permit": _("A valid permit for this zone."),
    "session": _("A paid session is running."),
    "booking": _("A booked place."),
    "no_permit": _("A residents' zone, and this car has no permit."),
    "no_session": _("No paid session, booking or permit."),
    "expired": _("The paid session has ended."),
}


def reason_text(reason: str) -> str:
    """The reason code in words, in the reader's language."""
    return str(REASONS.get(reason, reason))


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    end_time: datetime | None
    zone: Zone | None
    reason: str
    time: datetime


def check_parking(plate_text: str, lon: float, lat: float,
                  at: datetime | None = None) -> Verdict:
    at = at or timezone.now()
    plate = plates.normalise(plate_text)
    zone = zone_at(twin.check_lon_lat(lon, lat))

    def verdict(allowed: bool, until: datetime | None, reason: str) -> Verdict:
        return Verdict(allowed, until, zone, reason, at)

    if zone is None:
        return verdict(True, None, "no_zone")
    if zone.kind == ZoneKind.FREE:
        return verdict(True, None, "free_zone")
    permit = (Permit.objects.filter(plate=plate, valid_from__lte=at, valid_until__gt=at)
              .filter(Q(zone=zone) | Q(kind=PermitKind.DISABLED)).order_by("-valid_until")
              .first())
    if permit is not None:
        return verdict(True, permit.valid_until, "permit")
    if zone.kind == ZoneKind.RESIDENTS:
        return verdict(False, None, "no_permit")
    if tariff_math.tariff_at(tariff_math.tariffs_of(zone), at) is None:
        return verdict(True, None, "free_hours")
    sessions = Session.objects.filter(plate=plate, zone=zone, started_at__lte=at)
    running = sessions.filter(Q(stopped_at__isnull=True, ends_at__gt=at)
                              | Q(stopped_at__gt=at)).order_by("-ends_at").first()
    if running is not None:
        return verdict(True, running.stopped_at or running.ends_at, "session")
    booking = Booking.objects.filter(plate=plate, place__lot__zone=zone, starts_at__lte=at,
                                     ends_at__gt=at, cancelled_at__isnull=True)\
        .order_by("-ends_at").first()
    if booking is not None:
        return verdict(True, booking.ends_at, "booking")
    grace = at - timedelta(minutes=grace_minutes())
    ended = sessions.filter(Q(stopped_at__gt=grace) | Q(stopped_at__isnull=True,
                                                        ends_at__gt=grace))\
        .order_by("-started_at").first()
    if ended is not None:
        return verdict(False, ended.stopped_at or ended.ends_at, "expired")
    return verdict(False, None, "no_session")
