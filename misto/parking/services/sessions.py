"""Parking sessions: started by plate and lot, stopped by the driver, by the car's own
place reporting it free (``occupancy.apply``), or when the paid hours or the longest stay
end (``expire_due``); charged once through ``misto.core.payments``.

``check_start`` validates everything (nothing is written); ``do_start`` writes. A stop the
driver asks for is all or nothing: a refused payment leaves the session running and the
refusal reaches the driver. A stop nobody waits for (the sensor, the clock) cannot be
refused by a wallet: it stops the session and leaves it ``unpaid``, to pay from its page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from misto.core import payments
from misto.core.bus import publish
from misto.parking import plates
from misto.parking.errors import ParkingCode, ParkingError
from misto.parking.events import SessionStarted, SessionStopped
from misto.parking.models import (
    Lot,
    Place,
    Session,
    SessionStatus,
    StopReason,
    Tariff,
    ZoneKind,
)
from misto.parking.services import tariffs as tariff_math
from misto.parking.services.settings import bind_minutes, max_hours

PURPOSE = "parking"


@dataclass(frozen=True)
class CheckedStart:
    user: Any
    plate: str
    lot: Lot
    place: Place | None
    started_at: datetime
    ends_at: datetime


def access_session(user: Any, public_id: Any) -> Session:
    """The driver's own session; the same 404 for a missing one and another's."""
    session = (Session.objects.select_related("lot", "zone", "place")
               .filter(public_id=public_id, user_id=int(getattr(user, "pk", 0) or 0))
               .first()) if getattr(user, "is_authenticated", False) else None
    if session is None:
        raise ParkingError(ParkingCode.NOT_FOUND, _("There is no such parking session."))
    return session


def sessions_of(user: Any) -> QuerySet[Session]:
    if not getattr(user, "is_authenticated", False):
        return Session.objects.none()
    return Session.objects.filter(user_id=int(user.pk)).select_related("lot", "zone", "place")


def check_start(user: Any, plate_text: str, lot: Lot, *, zone_code: str = "",
                place_number: str = "", now: datetime | None = None) -> CheckedStart:
    """Everything ``do_start`` needs, validated; nothing is written here."""
    now = now or timezone.now()
    plate = plates.normalise(plate_text)
    zone = lot.zone
    if zone_code and zone_code.strip().lower() != zone.code.lower():
        raise ParkingError(ParkingCode.LOT_OUTSIDE_ZONE, _(
            "Lot %(lot)s is not in zone %(zone)s: check the number on the sign.")
            % {"lot": lot.code, "zone": zone_code.strip()[:20]}, field="zone")
    if lot.closed:
        raise ParkingError(ParkingCode.LOT_CLOSED, _("Lot %(lot)s is closed now.")
                           % {"lot": lot.code}, field="lot")
    if zone.kind == ZoneKind.RESIDENTS:
        raise ParkingError(ParkingCode.PERMIT_NEEDED, _(
            "Lot %(lot)s is for residents with a permit; no session is sold there.")
            % {"lot": lot.code}, field="lot")
    rules = tariff_math.tariffs_of(zone)
    tariff = tariff_math.tariff_at(rules, now)
    if zone.kind == ZoneKind.FREE or tariff is None:
        upcoming = tariff_math.next_paid(rules, now) if zone.kind != ZoneKind.FREE else None
        message = (_("Parking in lot %(lot)s is free until %(time)s: no session is needed.")
                   % {"lot": lot.code, "time": formats.date_format(
                       timezone.localtime(upcoming), "SHORT_DATETIME_FORMAT")}
                   if upcoming else
                   _("Parking in lot %(lot)s is free: no session is needed.")
                   % {"lot": lot.code})
        raise ParkingError(ParkingCode.FREE_NOW, message, field="lot")
    if _expire_plate(plate, now):
        raise ParkingError(ParkingCode.ALREADY_PARKED, _(
            "A session for %(plate)s is already running: stop it first.")
            % {"plate": plates.shown(plate)}, field="registration_number")
    stay = timedelta(minutes=tariff.max_stay_minutes) if tariff.max_stay_minutes else \
        timedelta(hours=max_hours())
    ends_at = tariff_math.paid_until(rules, now, now + stay)
    return CheckedStart(user, plate, lot, _place(lot, place_number, now), now, ends_at)


def _place(lot: Lot, number: str, now: datetime) -> Place | None:
    """The place the car stands on: the one named, or the sensed place taken most recently
    in this lot that no running session holds (the car that has just parked)."""
    held = Session.objects.filter(stopped_at__isnull=True, place__isnull=False)\
        .values("place_id")
    if number:
        place = lot.places.filter(number=number.strip()[:10]).first()
        if place is None:
            raise ParkingError(ParkingCode.NOT_FOUND, _(
                "Lot %(lot)s has no place %(place)s.") % {"lot": lot.code,
                                                           "place": number.strip()[:10]},
                field="place")
        if lot.places.filter(pk=place.pk, pk__in=held).exists():
            raise ParkingError(ParkingCode.PLACE_TAKEN, _(
                "Place %(place)s is already paid for by another car.")
                % {"place": place.number}, field="place")
        return place
    return (lot.places.filter(sensor__isnull=False, occupied=True,
                              changed_at__gte=now - timedelta(minutes=bind_minutes()))
            .exclude(pk__in=held).order_by("-changed_at").first())


def do_start(checked: CheckedStart) -> Session:
    try:
        with transaction.atomic():
            session = Session.objects.create(
                user=checked.user, plate=checked.plate, lot=checked.lot,
                zone=checked.lot.zone, place=checked.place, started_at=checked.started_at,
                ends_at=checked.ends_at)
            publish(SessionStarted(session=str(session.public_id), zone=session.zone.code,
                                   lot=session.lot.code))
    except IntegrityError:  # another request started one for this plate meanwhile
        raise ParkingError(ParkingCode.ALREADY_PARKED, _(
            "A session for %(plate)s is already running: stop it first.")
            % {"plate": plates.shown(checked.plate)}, field="registration_number") from None
    return session


def locked() -> QuerySet[Session]:
    """Sessions locked for a stop or a payment, with what billing and charging read (one
    query: the zone, the lot and the driver come with the row)."""
    return Session.objects.select_for_update(of=("self",))\
        .select_related("zone", "lot", "user")


def do_stop(session: Session, at: datetime, reason: str, *, strict: bool) -> Session:
    """Stop and charge. ``strict`` (the driver asked): a refused payment rolls everything
    back and reaches the caller. Otherwise the session stops ``unpaid``."""
    with transaction.atomic():
        return stop_locked(locked().get(pk=session.pk), at, reason, strict=strict)


def stop_locked(session: Session, at: datetime, reason: str, *, strict: bool) -> Session:
    """``do_stop`` on a row the caller locked with ``locked()`` in its open transaction
    (the sensor's stop, inside the readings' transaction, locks and reads it once). No
    savepoint of its own: whatever fails here fails the caller's transaction with it."""
    with transaction.atomic(savepoint=False):
        if session.stopped_at is not None:
            if strict:
                raise ParkingError(ParkingCode.NOT_RUNNING,
                                   _("This parking session has already stopped."))
            return session
        at = min(max(at, session.started_at), session.ends_at)
        bill = tariff_math.bill(list(Tariff.objects.filter(zone=session.zone_id)),
                                session.started_at, at)
        session.stopped_at, session.stop_reason = at, reason
        session.minutes, session.amount = bill.minutes, bill.amount
        session.status = SessionStatus.FREE if not bill.amount else SessionStatus.UNPAID
        if bill.amount:
            if strict:
                _charge(session)
            else:
                try:
                    with transaction.atomic():
                        _charge(session)
                except (payments.PaymentRefused, payments.PaymentUnavailable):
                    pass  # stopped, not paid: the driver pays from the session's page
        session.save(update_fields=["stopped_at", "stop_reason", "minutes", "amount",
                                    "status", "receipt"])
        publish(SessionStopped(session=str(session.public_id), zone=session.zone.code,
                               lot=session.lot.code, reason=reason, minutes=session.minutes,
                               amount=session.amount,
                               paid=session.status != SessionStatus.UNPAID))
    return session


def _charge(session: Session) -> None:
    session.receipt = payments.charge(session.user, session.amount, purpose=PURPOSE,
                                      key=f"session:{session.public_id}",
                                      memo=f"{session.zone.code} {session.lot.code}")
    session.status = SessionStatus.PAID


def do_pay(session: Session) -> Session:
    """Pay a stopped session the wallet could not pay then (the same key: charged once)."""
    with transaction.atomic():
        session = locked().get(pk=session.pk)
        if session.status != SessionStatus.UNPAID:
            raise ParkingError(ParkingCode.NOT_RUNNING, _("Nothing is due for this session."))
        _charge(session)
        session.save(update_fields=["status", "receipt"])
    return session


def stop_by_driver(session: Session, now: datetime | None = None) -> Session:
    if not session.running:
        raise ParkingError(ParkingCode.NOT_RUNNING,
                           _("This parking session has already stopped."))
    now = now or timezone.now()
    reason = StopReason.RESIDENT if now < session.ends_at else _end_reason(session)
    return do_stop(session, now, reason, strict=True)


def _end_reason(session: Session) -> str:
    stay = session.ends_at - session.started_at
    rules = list(Tariff.objects.filter(zone=session.zone_id))
    tariff = tariff_math.tariff_at(rules, session.started_at)
    if tariff and tariff.max_stay_minutes and stay >= timedelta(minutes=tariff.max_stay_minutes):
        return StopReason.MAX_STAY
    return StopReason.TARIFF_END


def _expire_plate(plate: str, now: datetime) -> bool:
    """Stop the plate's running session when its time is over; True when one still runs
    (one query when none is running, the common case)."""
    running = False
    for session in Session.objects.filter(plate=plate, stopped_at__isnull=True):
        if session.ends_at <= now:
            do_stop(session, session.ends_at, _end_reason(session), strict=False)
        else:
            running = True
    return running


def expire_due(now: datetime | None = None, limit: int = 500) -> int:
    """Stop the sessions whose paid hours or longest stay are over (each at its end)."""
    now = now or timezone.now()
    due = list(Session.objects.filter(stopped_at__isnull=True, ends_at__lte=now)
               .order_by("ends_at")[:limit])
    for session in due:
        do_stop(session, session.ends_at, _end_reason(session), strict=False)
    return len(due)
