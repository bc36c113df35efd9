"""Parking's tables: zones with tariffs, lots with places, sessions, bookings, permits, and
the hourly occupancy tallies the statistics and the open dataset read.

Money is integer kopiyky. Plates are stored in their normal form (``plates.normalise``).
Two rules are kept by the database, not only by the code: one running session per plate
(a partial unique index) and one booking per place and half-hour (``BookingSlot``'s unique
pair), so two requests racing each other cannot both win.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ZoneKind(models.TextChoices):
    PAID = "paid", pgettext_lazy("parking zone", "paid")
    FREE = "free", pgettext_lazy("parking zone", "free")
    RESIDENTS = "residents", pgettext_lazy("parking zone", "residents only")


class Zone(models.Model):
    """A parking zone: its rules (kind, tariffs) hold for every lot inside its area."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=ZoneKind.choices,
                            default=ZoneKind.PAID)
    area = models.MultiPolygonField(_("area"), srid=4326)
    district = models.CharField(_("district"), max_length=30, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("parking zone")
        verbose_name_plural = _("parking zones")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    # The scope of an inspector's check (misto.core.permissions): an operator assignment of
    # the parking department for this zone's district (or for all) reaches it.
    @property
    def scope_department(self) -> str:
        from misto.parking.services.settings import department

        return department()

    @property
    def scope_district(self) -> str | None:
        return self.district or None


class Tariff(models.Model):
    """What an hour costs in a zone on some weekdays, from ``start_hour`` to ``end_hour``
    (local time; hours no tariff covers are free) and the longest stay."""

    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="tariffs")
    weekdays = models.CharField(_("weekdays"), max_length=7, default="1234567",
                                help_text=_("ISO weekday digits: 1 is Monday, 7 is Sunday"))
    start_hour = models.PositiveSmallIntegerField(_("from hour"), default=8)
    end_hour = models.PositiveSmallIntegerField(_("until hour"), default=22)
    price_per_hour = models.PositiveIntegerField(_("price per hour, kopiyky"))
    max_stay_minutes = models.PositiveIntegerField(_("longest stay, minutes"), null=True,
                                                   blank=True)

    class Meta:
        ordering = ["zone", "weekdays", "start_hour"]
        verbose_name = _("tariff")
        verbose_name_plural = _("tariffs")
        constraints = [models.CheckConstraint(
            condition=Q(start_hour__lt=models.F("end_hour"), end_hour__lte=24),
            name="parking_tariff_hours")]

    def __str__(self) -> str:
        return f"{self.zone.code} {self.weekdays} {self.start_hour}-{self.end_hour}"


class Lot(models.Model):
    """A parking lot (or a stretch of kerb) inside one zone."""

    code = models.SlugField(_("code on the sign"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="lots")
    area = models.MultiPolygonField(_("area"), srid=4326)
    point = models.PointField(_("label point"), srid=4326, spatial_index=True)
    district = models.CharField(_("district"), max_length=30, blank=True)
    bookable = models.BooleanField(_("places may be booked"), default=False)
    closed = models.BooleanField(_("closed"), default=False)
    feature_id = models.BigIntegerField(_("twin feature"), null=True, blank=True)
    created_at = models.DateTimeField(_("on the map since"), default=timezone.now)

    class Meta:
        ordering = ["code"]
        verbose_name = _("parking lot")
        verbose_name_plural = _("parking lots")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PlaceKind(models.TextChoices):
    REGULAR = "regular", _("regular")
    DISABLED = "disabled", _("for people with disabilities")


class Place(models.Model):
    """One place of a lot; with a sensor, its occupancy is known live."""

    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="places")
    number = models.CharField(_("number"), max_length=10)
    kind = models.CharField(_("kind"), max_length=10, choices=PlaceKind.choices,
                            default=PlaceKind.REGULAR)
    sensor = models.CharField(_("sensor device"), max_length=100, unique=True, null=True,
                              blank=True)
    occupied = models.BooleanField(_("occupied"), null=True, blank=True)
    seen_at = models.DateTimeField(_("last reading"), null=True, blank=True)
    changed_at = models.DateTimeField(_("occupancy changed"), null=True, blank=True)

    class Meta:
        ordering = ["lot", "number"]
        constraints = [models.UniqueConstraint(fields=["lot", "number"],
                                               name="parking_place_number")]
        verbose_name = _("parking place")
        verbose_name_plural = _("parking places")

    def __str__(self) -> str:
        return f"{self.lot.code}/{self.number}"


class SessionStatus(models.TextChoices):
    RUNNING = "running", _("running")
    PAID = "paid", _("paid")
    FREE = "free", _("free of charge")
    UNPAID = "unpaid", _("not paid yet")


class StopReason(models.TextChoices):
    RESIDENT = "resident", _("stopped by the driver")
    SENSOR = "sensor", _("the car left its place")
    TARIFF_END = "tariff_end", _("the paid hours ended")
    MAX_STAY = "max_stay", _("the longest stay was reached")


class Session(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="parking_sessions")
    plate = models.CharField(_("plate"), max_length=12)
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="sessions")
    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="sessions")
    place = models.ForeignKey(Place, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="sessions")
    started_at = models.DateTimeField(_("started"))
    ends_at = models.DateTimeField(_("ends at the latest"))
    stopped_at = models.DateTimeField(_("stopped"), null=True, blank=True)
    stop_reason = models.CharField(_("why it stopped"), max_length=12,
                                   choices=StopReason.choices, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=SessionStatus.choices,
                              default=SessionStatus.RUNNING)
    minutes = models.PositiveIntegerField(_("minutes"), default=0)
    amount = models.PositiveIntegerField(_("amount, kopiyky"), default=0)
    receipt = models.CharField(_("payment reference"), max_length=60, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [models.UniqueConstraint(
            fields=["plate"], condition=Q(stopped_at__isnull=True),
            name="parking_one_running_session_per_plate")]
        indexes = [models.Index(fields=["plate", "started_at"]),
                   models.Index(fields=["zone", "started_at"])]
        verbose_name = _("parking session")
        verbose_name_plural = _("parking sessions")

    def __str__(self) -> str:
        return str(self.public_id)

    @property
    def running(self) -> bool:
        return self.stopped_at is None

    @property
    def amount_uah(self) -> Decimal:
        return Decimal(self.amount) / 100


class Booking(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="parking_bookings")
    plate = models.CharField(_("plate"), max_length=12)
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="bookings")
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    amount = models.PositiveIntegerField(_("amount, kopiyky"), default=0)
    receipt = models.CharField(_("payment reference"), max_length=60, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # A cancelled booking keeps its row (the receipt and the refund stay traceable); its
    # half-hours are deleted, so the place can be booked again.
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    refund_receipt = models.CharField(_("refund reference"), max_length=60, blank=True)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")

    @property
    def amount_uah(self) -> Decimal:
        return Decimal(self.amount) / 100


class BookingSlot(models.Model):
    """One half-hour of one place held by a booking: the unique pair is the database's
    guarantee of one booking per place and time."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="slots")
    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="+")
    start = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["place", "start"],
                                               name="parking_one_booking_per_slot")]


class PermitKind(models.TextChoices):
    RESIDENT = "resident", _("resident")
    DISABLED = "disabled", _("disability")


class Permit(models.Model):
    """A plate's right to park in a zone without a session (residents of its district)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="parking_permits")
    plate = models.CharField(_("plate"), max_length=12)
    zone = models.ForeignKey(Zone, on_delete=models.PROTECT, related_name="permits")
    kind = models.CharField(_("kind"), max_length=10, choices=PermitKind.choices,
                            default=PermitKind.RESIDENT)
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"))

    class Meta:
        ordering = ["-valid_until"]
        indexes = [models.Index(fields=["plate", "valid_until"])]
        verbose_name = _("parking permit")
        verbose_name_plural = _("parking permits")


class OccupancyHour(models.Model):
    """A lot's sensor readings in one hour: how many, and how many said occupied (the mean
    occupancy of the open dataset and the staff statistics; no plate, no person)."""

    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="+")
    hour = models.DateTimeField()
    samples = models.PositiveIntegerField(default=0)
    occupied = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["lot", "hour"],
                                               name="parking_occupancy_hour")]
