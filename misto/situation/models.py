"""The situational centre's tables.

- :class:`IncidentKind` and :class:`KindRule`: the correlation rules a city tunes (which
  report category or sensor quantity makes which kind of incident, how near and how soon two
  signals must be to be one incident, the response and resolution targets).
- :class:`Incident` with its :class:`IncidentSource` rows (the events it was built from) and
  its :class:`IncidentUpdate` timeline (opened, sources added, assigned, status, photos).
- :class:`Crew`: a field crew of a department; its members are users.
- :class:`Emergency`: a district or city-wide event grouping incidents.
- :class:`DeviceState` and :class:`Outage`: what the events told us about sensors and
  outages, kept for the map and the dashboard (never read from another module's tables).
- :class:`Change`: an append-only log of what changed, for the live stream to the browser.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Severity(models.TextChoices):
    INFO = "info", _("info")
    WARNING = "warning", _("warning")
    CRITICAL = "critical", _("critical")


SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.CRITICAL: 2}


class Status(models.TextChoices):
    OPEN = "open", _("open")
    ASSIGNED = "assigned", _("assigned")
    IN_PROGRESS = "in_progress", _("in progress")
    RESOLVED = "resolved", _("resolved")


ACTIVE_STATUSES = (Status.OPEN, Status.ASSIGNED, Status.IN_PROGRESS)


class IncidentKind(models.Model):
    """A kind of incident with its correlation rule and its targets."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    title_uk = models.CharField(_("title (Ukrainian)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    department = models.CharField(_("default department"), max_length=100, blank=True)
    default_severity = models.CharField(_("default severity"), max_length=10,
                                        choices=Severity.choices, default=Severity.WARNING)
    radius_m = models.PositiveIntegerField(
        _("correlation radius (m)"), default=150,
        help_text=_("Signals of this kind closer than this are one incident."))
    window_minutes = models.PositiveIntegerField(
        _("correlation window (minutes)"), default=180,
        help_text=_("…if the new signal came within this time of the incident's last one."))
    same_street = models.BooleanField(
        _("same street only"), default=False,
        help_text=_("Also require the same street (when both signals have one)."))
    response_target_minutes = models.PositiveIntegerField(_("response target (minutes)"),
                                                          default=60)
    resolution_target_minutes = models.PositiveIntegerField(_("resolution target (minutes)"),
                                                            default=24 * 60)
    color = models.CharField(_("map colour"), max_length=7, default="#c92a2a")

    class Meta:
        ordering = ["code"]
        verbose_name = _("incident kind")
        verbose_name_plural = _("incident kinds")

    def __str__(self) -> str:
        return self.title()

    def title(self) -> str:
        return self.title_en if (get_language() or "uk").startswith("en") else self.title_uk


class RuleSource(models.TextChoices):
    REPORT_CATEGORY = "report_category", _("report category")
    IOT_QUANTITY = "iot_quantity", _("sensor quantity")
    DEVICE_OFFLINE = "device_offline", _("device offline")
    CONTAINER_FULL = "container_full", _("container full")
    OUTAGE = "outage", _("emergency outage")
    OVERDUE_ANSWER = "overdue_answer", _("a petition or an appeal answered late")
    TRANSIT_OVERLOAD = "transit_overload", _("an overloaded public-transport route")
    FUEL_DRAIN = "fuel_drain", _("fuel drained from a municipal vehicle")


class KindRule(models.Model):
    """Which incident kind a signal becomes: ``value`` empty means "any other value"."""

    source = models.CharField(_("source"), max_length=20, choices=RuleSource.choices)
    value = models.CharField(_("value"), max_length=100, blank=True,
                             help_text=_("Report category code, quantity or outage kind."))
    kind = models.ForeignKey(IncidentKind, models.CASCADE, related_name="rules",
                             verbose_name=_("incident kind"))

    class Meta:
        ordering = ["source", "value"]
        constraints = [models.UniqueConstraint(fields=["source", "value"],
                                               name="situation_rule_unique")]
        verbose_name = _("correlation rule")
        verbose_name_plural = _("correlation rules")

    def __str__(self) -> str:
        return f"{self.source}:{self.value or '*'} → {self.kind.code}"


class Crew(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    department = models.CharField(_("department"), max_length=100)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True,
                                     related_name="situation_crews", verbose_name=_("members"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["department", "name"]
        verbose_name = _("crew")
        verbose_name_plural = _("crews")

    def __str__(self) -> str:
        return self.name


class Emergency(models.Model):
    """A district or city-wide emergency (a heating main burst...) grouping incidents."""

    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, default="other")
    # KATOTTG codes of the districts; empty with no area means city-wide.
    districts = models.JSONField(_("districts"), default=list, blank=True)
    area = models.GeometryField(_("area"), srid=4326, null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                    blank=True, related_name="+")
    announcement_id = models.CharField(_("outage announcement"), max_length=100, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("emergency")
        verbose_name_plural = _("emergencies")

    def __str__(self) -> str:
        return self.title

    @property
    def active(self) -> bool:
        return self.ended_at is None


class Incident(models.Model):
    kind = models.ForeignKey(IncidentKind, models.PROTECT, related_name="incidents")
    title = models.CharField(_("title"), max_length=300)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices,
                              default=Status.OPEN)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices,
                                default=Severity.WARNING)
    district = models.CharField(_("district"), max_length=40, blank=True)
    district_name = models.CharField(_("district name"), max_length=200, blank=True)
    # lon/lat are kept beside the point so that the map endpoint reads plain columns.
    lon = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    location = models.PointField(srid=4326, null=True, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    street = models.CharField(_("street"), max_length=300, blank=True)
    landmark = models.CharField(_("landmark number"), max_length=40, blank=True)
    # [{"module": "reports", "id": "17"}, ...] in the order they came: the map's copy of
    # IncidentSource, so that the map endpoint is one query.
    sources = models.JSONField(default=list)
    # The incident as the map's GeoJSON Feature, rewritten with every change (services.
    # record_change): the map endpoint reads it instead of serialising 10,000 rows again.
    map_json = models.TextField(blank=True, default="")
    department = models.CharField(_("department"), max_length=100, blank=True)
    crew = models.ForeignKey(Crew, models.SET_NULL, null=True, blank=True,
                             related_name="incidents", verbose_name=_("crew"))
    emergency = models.ForeignKey(Emergency, models.SET_NULL, null=True, blank=True,
                                  related_name="incidents")
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    last_signal_at = models.DateTimeField(_("last signal at"), default=timezone.now)
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    started_at = models.DateTimeField(_("work started at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-opened_at"]
        indexes = [
            models.Index(fields=["status", "kind"], name="situation_inc_status_kind"),
            models.Index(fields=["lat", "lon"], name="situation_inc_lat_lon"),
            models.Index(fields=["opened_at"], name="situation_inc_opened"),
        ]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def active(self) -> bool:
        return self.status != Status.RESOLVED


class IncidentSource(models.Model):
    """One event-producing thing behind an incident: a report, a device's alert..."""

    incident = models.ForeignKey(Incident, models.CASCADE, related_name="source_rows")
    module = models.CharField(max_length=40)
    source_id = models.CharField(max_length=100)
    event = models.CharField(max_length=100)
    label = models.CharField(max_length=300, blank=True)
    severity = models.CharField(max_length=10, choices=Severity.choices,
                                default=Severity.WARNING)
    lon = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    observed_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    cleared = models.BooleanField(default=False)
    payload = models.JSONField(default=dict)

    class Meta:
        ordering = ["observed_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["incident", "module", "source_id"],
                                               name="situation_source_once")]
        indexes = [models.Index(fields=["module", "source_id"], name="situation_src_ref")]

    def __str__(self) -> str:
        return f"{self.module}:{self.source_id}"


class UpdateAction(models.TextChoices):
    OPENED = "opened", _("opened")
    SOURCE = "source", _("new source")
    ASSIGNED = "assigned", _("assigned")
    STATUS = "status", _("status changed")
    NOTE = "note", _("note")
    EMERGENCY = "emergency", _("emergency")


def photo_path(instance: IncidentUpdate, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower()[:5] if "." in filename else "jpg"
    stamp = timezone.now().strftime("%Y/%m")
    return f"situation/{stamp}/incident-{instance.incident_id}-{timezone.now():%H%M%S%f}.{suffix}"


class IncidentUpdate(models.Model):
    """The incident's history: every change, who made it and when (response times come
    from the incident's own columns; the history lets anyone recompute them)."""

    incident = models.ForeignKey(Incident, models.CASCADE, related_name="updates")
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=12, choices=UpdateAction.choices)
    status = models.CharField(max_length=12, choices=Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                              blank=True, related_name="+")
    note = models.TextField(blank=True)
    photo = models.FileField(upload_to=photo_path, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class DeviceState(models.Model):
    """A device as the iot events describe it: never seen, ok, alerting or offline.

    A device the registry announces has not been heard from until an event about its data
    says so (a reading out of range or back in range, back online): "never seen", as the
    iot module's own pages and its silent-devices list say, not "online".
    """

    class State(models.TextChoices):
        NEVER = "never", _("never seen")
        OK = "ok", _("normal")
        ALERT = "alert", _("out of range")
        OFFLINE = "offline", _("offline")

    SEEN = (State.OK, State.ALERT)  # heard from and not silent: what "online" counts

    device_id = models.CharField(max_length=100, unique=True)
    name = models.CharField(max_length=200, blank=True)
    model = models.CharField(max_length=100, blank=True)
    district = models.CharField(max_length=40, blank=True)
    lon = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.NEVER)
    quantity = models.CharField(max_length=60, blank=True)
    value = models.FloatField(null=True, blank=True)
    alerts = models.JSONField(default=dict, blank=True)  # quantity -> value, while alerting
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["state"], name="situation_dev_state")]

    def __str__(self) -> str:
        return self.device_id


class Outage(models.Model):
    """A planned or emergency outage announced by the notifications module."""

    announcement_id = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=20)
    emergency = models.BooleanField(default=False)
    title = models.CharField(max_length=300, blank=True)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    districts = models.JSONField(default=list, blank=True)
    area = models.JSONField(null=True, blank=True)  # GeoJSON geometry as announced
    building_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return self.title or self.announcement_id


class Change(models.Model):
    """Append-only: one row per change the live map should hear about."""

    class Topic(models.TextChoices):
        INCIDENT = "incident"
        DEVICE = "device"
        OUTAGE = "outage"
        EMERGENCY = "emergency"

    topic = models.CharField(max_length=10, choices=Topic.choices)
    ref = models.CharField(max_length=100)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.pk} {self.topic}:{self.ref}"
