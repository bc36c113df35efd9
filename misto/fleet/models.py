"""The fleet's tables: vehicles, their live state, the track, trips, fuel events and waybills.

A vehicle refers to its tracker and fuel sensor by the IoT device's uid (the key of
``misto.core.readings.Sample``), never by the iot module's tables.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Vehicle(models.Model):
    class Kind(models.TextChoices):
        CAR = "car", pgettext_lazy("vehicle kind", "car")
        VAN = "van", pgettext_lazy("vehicle kind", "van")
        TRUCK = "truck", pgettext_lazy("vehicle kind", "truck")
        UTILITY = "utility", pgettext_lazy("vehicle kind", "utility vehicle")

    plate = models.CharField(_("number plate"), max_length=16, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.CAR)
    make = models.CharField(_("make and model"), max_length=100, blank=True)
    department = models.CharField(_("department"), max_length=64, blank=True)
    tank_l = models.FloatField(_("fuel tank (litres)"))
    norm_l_per_100km = models.FloatField(_("norm consumption (l/100 km)"))
    tracker_uid = models.CharField(_("GPS tracker (device id)"), max_length=64, unique=True,
                                   null=True, blank=True)
    fuel_sensor_uid = models.CharField(_("fuel sensor (device id)"), max_length=64,
                                       unique=True, null=True, blank=True)
    token_hash = models.CharField(max_length=64, blank=True)  # the OsmAnd key's SHA-256
    odometer_km = models.FloatField(_("odometer when registered (km)"), default=0)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["plate"]
        verbose_name = _("municipal vehicle")
        verbose_name_plural = _("municipal vehicles")

    def __str__(self) -> str:
        return self.plate


class VehicleState(models.Model):
    """Where a vehicle is now, its trip, and the fuel filter's memory (one row a vehicle,
    locked while a sample is applied)."""

    vehicle = models.OneToOneField(Vehicle, models.CASCADE, primary_key=True,
                                   related_name="state")
    fixed_at = models.DateTimeField(null=True)
    lon = models.FloatField(null=True)
    lat = models.FloatField(null=True)
    speed_kmh = models.FloatField(null=True)
    heading = models.FloatField(null=True)
    ignition = models.BooleanField(null=True)
    active_at = models.DateTimeField(null=True)  # the last fix that was on the move
    odometer_km = models.FloatField(default=0)
    trip = models.ForeignKey("Trip", models.SET_NULL, null=True, related_name="+")
    fuel_at = models.DateTimeField(null=True)
    fuel_raw = models.JSONField(default=list)  # the last few raw levels (median filter)
    fuel_medians = models.JSONField(default=list)  # the last few filtered levels
    fuel_level = models.FloatField(null=True)  # the settled level (hysteresis reference)
    fuel_pending = models.JSONField(null=True)  # a change under way: kind, since, from
    fuel_anchored = models.BooleanField(default=False)  # the reference was taken standing

    def __str__(self) -> str:
        return f"{self.vehicle_id} @ {self.fixed_at}"


class Position(models.Model):
    vehicle = models.ForeignKey(Vehicle, models.CASCADE, related_name="positions")
    ts = models.DateTimeField()
    lon = models.FloatField()
    lat = models.FloatField()
    speed_kmh = models.FloatField(null=True)
    heading = models.FloatField(null=True)
    ignition = models.BooleanField(null=True)
    trip = models.ForeignKey("Trip", models.SET_NULL, null=True, related_name="positions")

    class Meta:
        ordering = ["vehicle", "ts"]
        constraints = [models.UniqueConstraint(fields=["vehicle", "ts"],
                                               name="fleet_position_once")]

    def __str__(self) -> str:
        return f"{self.vehicle_id} @ {self.ts}"


class FuelLevel(models.Model):
    """A fuel reading: the sensor's raw litres and the filtered level (median of the last few)."""

    vehicle = models.ForeignKey(Vehicle, models.CASCADE, related_name="fuel_levels")
    ts = models.DateTimeField()
    raw_l = models.FloatField()
    level_l = models.FloatField()

    class Meta:
        ordering = ["vehicle", "ts"]
        constraints = [models.UniqueConstraint(fields=["vehicle", "ts"],
                                               name="fleet_fuel_once")]

    def __str__(self) -> str:
        return f"{self.vehicle_id} @ {self.ts}: {self.level_l:.1f} l"


class RefusedFix(models.Model):
    """A position refused as implausible, with the reason (shown to the dispatcher)."""

    class Reason(models.TextChoices):
        BAD_COORDINATES = "bad_coordinates", _("coordinates out of range")
        OUTSIDE_CITY = "outside_city", _("outside the city")
        FUTURE = "future", _("time in the future")
        JUMP = "jump", _("an impossible jump")

    vehicle = models.ForeignKey(Vehicle, models.CASCADE, related_name="refused")
    received_at = models.DateTimeField(auto_now_add=True)
    fixed_at = models.DateTimeField(null=True)
    reason = models.CharField(max_length=20, choices=Reason.choices)

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.vehicle_id}: {self.reason}"


class Trip(models.Model):
    vehicle = models.ForeignKey(Vehicle, models.CASCADE, related_name="trips")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True)  # null while on the way
    start_lon = models.FloatField()
    start_lat = models.FloatField()
    end_lon = models.FloatField(null=True)
    end_lat = models.FloatField(null=True)
    distance_m = models.FloatField(default=0)
    max_speed_kmh = models.FloatField(default=0)
    fuel_start_l = models.FloatField(null=True)
    fuel_end_l = models.FloatField(null=True)
    refuelled_l = models.FloatField(default=0)
    drained_l = models.FloatField(default=0)

    class Meta:
        ordering = ["vehicle", "started_at"]
        indexes = [models.Index(fields=["vehicle", "started_at"])]

    def __str__(self) -> str:
        return f"{self.vehicle_id} from {self.started_at}"

    def fuel_used_l(self) -> float | None:
        if self.fuel_start_l is None or self.fuel_end_l is None:
            return None
        return self.fuel_start_l - self.fuel_end_l + self.refuelled_l - self.drained_l

    def l_per_100km(self) -> float | None:
        used = self.fuel_used_l()
        if used is None or self.distance_m < 1000:
            return None
        return round(used / (self.distance_m / 100_000), 1)


class FuelEvent(models.Model):
    class Kind(models.TextChoices):
        REFUEL = "refuel", _("refuel")
        DRAIN = "drain", _("fuel drain")

    vehicle = models.ForeignKey(Vehicle, models.CASCADE, related_name="fuel_events")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    at = models.DateTimeField()
    litres = models.FloatField()
    level_before = models.FloatField()
    level_after = models.FloatField()
    lon = models.FloatField(null=True)
    lat = models.FloatField(null=True)

    class Meta:
        ordering = ["vehicle", "at"]

    def __str__(self) -> str:
        return f"{self.vehicle_id}: {self.kind} {self.litres:.1f} l at {self.at}"


class Waybill(models.Model):
    """Form No. 3, «Подорожній лист службового легкового автомобіля», for one vehicle and
    day: filled from the track and the fuel sensor, approved by a dispatcher who is not its
    driver."""

    class Status(models.TextChoices):
        FILLED = "filled", _("filled")
        APPROVED = "approved", _("approved")

    vehicle = models.ForeignKey(Vehicle, models.PROTECT, related_name="waybills")
    day = models.DateField()
    number = models.CharField(max_length=32, unique=True)
    driver = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    filled_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    filled_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.FILLED)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True,
                                    related_name="+")
    approved_at = models.DateTimeField(null=True)
    departed_at = models.DateTimeField(null=True)
    returned_at = models.DateTimeField(null=True)
    odometer_start_km = models.FloatField()
    odometer_end_km = models.FloatField()
    distance_km = models.FloatField()
    trips = models.PositiveIntegerField(default=0)
    route = models.JSONField(default=list)  # the trips' ends: [{"at", "address"}]
    fuel_start_l = models.FloatField(null=True)
    fuel_end_l = models.FloatField(null=True)
    fuel_issued_l = models.FloatField(default=0)
    fuel_drained_l = models.FloatField(default=0)
    fuel_norm_l = models.FloatField()
    fuel_actual_l = models.FloatField(null=True)

    class Meta:
        ordering = ["-day", "vehicle"]
        constraints = [models.UniqueConstraint(fields=["vehicle", "day"],
                                               name="fleet_waybill_per_day")]

    def __str__(self) -> str:
        return self.number

    @property
    def scope_department(self) -> str:
        """A waybill belongs to its vehicle's department (``misto.core.permissions``)."""
        return self.vehicle.department
