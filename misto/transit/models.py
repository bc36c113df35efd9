"""The timetable (one active GTFS feed at a time) and the live state built from the trackers.

Timetable rows hang off their ``Feed``: a new import builds a whole new feed in one
transaction and deletes the old one, so readers see either the old timetable or the new one.
The live and measured rows (visits, prediction samples) name trips, stops and routes by their
GTFS ids, not by foreign keys, so the accuracy history survives a new feed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Feed(models.Model):
    name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    imported_at = models.DateTimeField(auto_now_add=True)
    timezone = models.CharField(max_length=64, default="Europe/Kyiv")
    publisher = models.CharField(max_length=200, blank=True)
    version = models.CharField(max_length=100, blank=True)

    def __str__(self) -> str:
        return self.name


class Agency(models.Model):
    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="agencies")
    agency_id = models.CharField(max_length=100, blank=True)
    name = models.CharField(max_length=200)
    url = models.URLField(max_length=300)
    timezone = models.CharField(max_length=64)
    lang = models.CharField(max_length=10, blank=True)
    phone = models.CharField(max_length=50, blank=True)

    def __str__(self) -> str:
        return self.name


class Stop(models.Model):
    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="stops")
    stop_id = models.CharField(max_length=100)
    code = models.CharField(max_length=50, blank=True)
    name = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200, blank=True)
    lon = models.FloatField()
    lat = models.FloatField()
    wheelchair = models.PositiveSmallIntegerField(default=0)
    # From the twin when imported: where the stop is, in the city's own words.
    district = models.CharField(max_length=32, blank=True)
    landmark = models.CharField(max_length=32, blank=True)
    address = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["feed", "stop_id"], name="transit_stop_id")]
        indexes = [models.Index(fields=["feed", "code"])]

    def __str__(self) -> str:
        return self.name

    @property
    def public_code(self) -> str:
        return self.code or self.stop_id


class Route(models.Model):
    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="routes")
    route_id = models.CharField(max_length=100)
    agency_id = models.CharField(max_length=100, blank=True)
    short_name = models.CharField(max_length=50, blank=True)
    long_name = models.CharField(max_length=200, blank=True)
    route_type = models.PositiveSmallIntegerField()
    color = models.CharField(max_length=6, blank=True)
    text_color = models.CharField(max_length=6, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["feed", "route_id"],
                                               name="transit_route_id")]

    def __str__(self) -> str:
        return self.short_name or self.long_name

    @property
    def label(self) -> str:
        return self.short_name or self.long_name or self.route_id


class Service(models.Model):
    """calendar.txt: the days of the week a service runs between two dates."""

    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="services")
    service_id = models.CharField(max_length=100)
    days = models.CharField(max_length=7)  # "1111100": Monday first
    start_date = models.DateField()
    end_date = models.DateField()

    def __str__(self) -> str:
        return self.service_id


class ServiceException(models.Model):
    """calendar_dates.txt: 1 adds the service on a date, 2 removes it."""

    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="exceptions")
    service_id = models.CharField(max_length=100)
    date = models.DateField()
    exception_type = models.PositiveSmallIntegerField()

    def __str__(self) -> str:
        return f"{self.service_id} {self.date}"


class Shape(models.Model):
    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="shapes")
    shape_id = models.CharField(max_length=100)
    points = models.JSONField()  # [[lon, lat], ...] in sequence order

    class Meta:
        constraints = [models.UniqueConstraint(fields=["feed", "shape_id"],
                                               name="transit_shape_id")]

    def __str__(self) -> str:
        return self.shape_id


class Trip(models.Model):
    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="trips")
    trip_id = models.CharField(max_length=100)
    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="trips")
    service_id = models.CharField(max_length=100)
    headsign = models.CharField(max_length=200, blank=True)
    direction_id = models.PositiveSmallIntegerField(null=True, blank=True)
    block_id = models.CharField(max_length=100, blank=True)
    shape = models.ForeignKey(Shape, null=True, blank=True, on_delete=models.SET_NULL)
    # The first departure and last arrival, seconds after the service day's noon - 12 h.
    starts = models.IntegerField()
    ends = models.IntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["feed", "trip_id"], name="transit_trip_id")]

    def __str__(self) -> str:
        return self.trip_id


class StopTime(models.Model):
    trip = models.ForeignKey(Trip, on_delete=models.CASCADE, related_name="stop_times")
    stop = models.ForeignKey(Stop, on_delete=models.CASCADE, related_name="stop_times")
    sequence = models.PositiveIntegerField()
    arrival = models.IntegerField()  # seconds after the service day's noon - 12 h
    departure = models.IntegerField()
    # Metres along the trip's shape, computed at import (projected on the shape).
    distance_m = models.FloatField()

    class Meta:
        ordering = ["trip", "sequence"]
        indexes = [models.Index(fields=["stop", "departure"])]

    def __str__(self) -> str:
        return f"{self.trip_id}:{self.sequence}"


class Vehicle(models.Model):
    """A vehicle in service and the key of its tracker (only a digest is kept)."""

    code = models.CharField(_("fleet number"), max_length=50, unique=True)
    label = models.CharField(max_length=100, blank=True)
    seats = models.PositiveSmallIntegerField(default=30)
    capacity = models.PositiveSmallIntegerField(default=80)
    token_hash = models.CharField(max_length=64, blank=True)
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.label or self.code


class OnboardDevice(models.Model):
    """A device on a vehicle, by the code it is known by elsewhere: an IoT tracker or
    passenger counter (the iot module's device uid), or a ticket validator (the wallet's
    validator code). One vehicle at a time; moving a device to another bus moves the row."""

    class Kind(models.TextChoices):
        TRACKER = "tracker", _("GPS tracker")
        COUNTER = "counter", _("passenger counter")
        VALIDATOR = "validator", _("ticket validator")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    code = models.CharField(max_length=64)
    vehicle = models.ForeignKey(Vehicle, on_delete=models.CASCADE, related_name="devices")
    # The newest reading taken from it: a redelivered MQTT message is not counted twice.
    seen_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "code"],
                                               name="transit_device_once")]

    def __str__(self) -> str:
        return f"{self.kind} {self.code}"


class CountedValidation(models.Model):
    """A validation (``wallet.RideValidated``) taken into the counts, once per event."""

    event = models.CharField(max_length=36, unique=True)  # the event's uuid
    vehicle_code = models.CharField(max_length=50, blank=True)
    at = models.DateTimeField()
    counted_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.event


class VehicleState(models.Model):
    """Where a vehicle is now, which trip it runs and how full it is: one row per vehicle."""

    vehicle = models.OneToOneField(Vehicle, on_delete=models.CASCADE, primary_key=True,
                                   related_name="state")
    fixed_at = models.DateTimeField()
    lon = models.FloatField()
    lat = models.FloatField()
    speed = models.FloatField(null=True)  # m/s
    bearing = models.FloatField(null=True)
    trip_id = models.CharField(max_length=100, blank=True)
    route_id = models.CharField(max_length=100, blank=True)
    service_date = models.DateField(null=True)
    progress_m = models.FloatField(null=True)
    delay_s = models.IntegerField(null=True)
    next_sequence = models.PositiveIntegerField(null=True)
    passengers = models.PositiveSmallIntegerField(null=True)
    counted_at = models.DateTimeField(null=True)
    # The last stop the vehicle was seen to pass on this trip (segment running times).
    last_sequence = models.PositiveIntegerField(null=True)
    last_stop_at = models.DateTimeField(null=True)
    # When an on-board counter last reported (a counter device, or counts in the tracker's
    # fixes): while it does, validations add to the flows it does not see, not to the load.
    counter_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"{self.vehicle_id} at {self.fixed_at}"


class Prediction(models.Model):
    """A live prediction: the vehicle's arrival at one downstream stop of its trip."""

    vehicle = models.ForeignKey(Vehicle, on_delete=models.CASCADE, related_name="predictions")
    stop = models.ForeignKey(Stop, on_delete=models.CASCADE, related_name="predictions")
    trip = models.ForeignKey(Trip, on_delete=models.CASCADE, related_name="predictions")
    service_date = models.DateField()
    sequence = models.PositiveIntegerField()
    scheduled = models.DateTimeField()
    predicted = models.DateTimeField()
    dwell_s = models.PositiveIntegerField(default=0)  # the timetable's, to the departure
    made_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["stop", "predicted"])]

    def __str__(self) -> str:
        return f"{self.vehicle_id} -> {self.stop_id} at {self.predicted}"


class StopVisit(models.Model):
    """An observed arrival: the vehicle passed the stop's point on its trip."""

    trip_id = models.CharField(max_length=100)
    route_id = models.CharField(max_length=100)
    stop_id = models.CharField(max_length=100)
    service_date = models.DateField()
    sequence = models.PositiveIntegerField()
    vehicle_code = models.CharField(max_length=50)
    arrived_at = models.DateTimeField()
    scheduled = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["trip_id", "service_date", "sequence"],
                                               name="transit_visit_once")]

    def __str__(self) -> str:
        return f"{self.trip_id}:{self.sequence} at {self.arrived_at}"


class PredictionSample(models.Model):
    """The first prediction made for a stop in each horizon of the ETA Accuracy Benchmark
    (0-3, 3-6, 6-10, 10-15 minutes ahead), and later what really happened."""

    trip_id = models.CharField(max_length=100)
    route_id = models.CharField(max_length=100)
    stop_id = models.CharField(max_length=100)
    service_date = models.DateField()
    sequence = models.PositiveIntegerField()
    bucket = models.PositiveSmallIntegerField()
    made_at = models.DateTimeField()
    predicted = models.DateTimeField()
    actual = models.DateTimeField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["trip_id", "service_date", "sequence", "bucket"], name="transit_sample_once")]
        indexes = [models.Index(fields=["route_id", "service_date"])]

    def __str__(self) -> str:
        return f"{self.trip_id}:{self.sequence}/{self.bucket}"


class SegmentTime(models.Model):
    """The observed running time from one stop to the next, by hour of day (a running mean)."""

    from_stop = models.CharField(max_length=100)
    to_stop = models.CharField(max_length=100)
    hour = models.PositiveSmallIntegerField()
    count = models.PositiveIntegerField(default=0)
    mean_s = models.FloatField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["from_stop", "to_stop", "hour"],
                                               name="transit_segment_hour")]

    def __str__(self) -> str:
        return f"{self.from_stop}->{self.to_stop} {self.hour}h"


class DeadFix(models.Model):
    """A position refused as implausible, with the reason; never used for anything else."""

    class Reason(models.TextChoices):
        BAD_COORDINATES = "bad_coordinates", _("coordinates out of range")
        OUTSIDE_CITY = "outside_city", _("outside the city")
        FUTURE = "future", _("time in the future")
        TOO_OLD = "too_old", _("too old")
        OUT_OF_ORDER = "out_of_order", _("older than the vehicle's last position")
        JUMP = "jump", _("an impossible jump from the last position")

    vehicle_code = models.CharField(max_length=50)
    received_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    fixed_at = models.DateTimeField(null=True)
    lon = models.FloatField(null=True)
    lat = models.FloatField(null=True)

    def __str__(self) -> str:
        return f"{self.vehicle_code}: {self.reason}"


class RouteLoad(models.Model):
    """A route's overload watch: since when it has run over the threshold, and whether the
    situational centre was told."""

    route_id = models.CharField(max_length=100, primary_key=True)
    over_since = models.DateTimeField(null=True)
    raised = models.BooleanField(default=False)
    percent = models.PositiveSmallIntegerField(default=0)

    def __str__(self) -> str:
        return self.route_id


class Alert(models.Model):
    """A service alert (GTFS-Realtime Alert): a detour, a stop closed, a line suspended."""

    class Effect(models.TextChoices):
        DETOUR = "DETOUR", _("detour")
        NO_SERVICE = "NO_SERVICE", _("no service")
        REDUCED_SERVICE = "REDUCED_SERVICE", _("reduced service")
        SIGNIFICANT_DELAYS = "SIGNIFICANT_DELAYS", _("significant delays")
        STOP_MOVED = "STOP_MOVED", _("stop moved")
        OTHER_EFFECT = "OTHER_EFFECT", _("other")

    header = models.CharField(max_length=200)
    header_en = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    effect = models.CharField(max_length=20, choices=Effect.choices, default=Effect.OTHER_EFFECT)
    route_ids = models.JSONField(default=list, blank=True)
    stop_ids = models.JSONField(default=list, blank=True)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Where it came from: "staff", or "notifications" with the announcement's id.
    source = models.CharField(max_length=20, default="staff")
    source_id = models.CharField(max_length=50, blank=True)

    def __str__(self) -> str:
        return self.header


class FavouriteStop(models.Model):
    """A resident's stop in their cabinet, by its public code (so it outlives a new feed)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="favourite_stops")
    stop_code = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "stop_code"],
                                               name="transit_favourite_once")]

    def __str__(self) -> str:
        return self.stop_code


class PassengerFlow(models.Model):
    """Boardings and alightings counted on board, per service day, hour, route and the stop
    the vehicle was at (the last one it reached)."""

    service_date = models.DateField()
    hour = models.PositiveSmallIntegerField()
    route_id = models.CharField(max_length=100)
    stop_id = models.CharField(max_length=100)
    boarded = models.PositiveIntegerField(default=0)
    alighted = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["service_date", "hour", "route_id", "stop_id"], name="transit_flow_once")]

    def __str__(self) -> str:
        return f"{self.service_date} {self.hour}h {self.route_id}@{self.stop_id}"
