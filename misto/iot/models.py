"""The IoT module's tables: the device registry, rules, time series and dead letters.

The readings table (:class:`Reading`) is not created by Django's schema editor: migration
0002 creates it per database (on PostgreSQL partitioned by month), and the hot path writes it
with raw SQL in :mod:`misto.iot.storage`. The ORM model exists for reading it.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from misto.iot.decoders import decoder_names

UID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
QUANTITY_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")


def validate_uid(value: str) -> None:
    if not UID_RE.match(value):
        raise ValidationError(
            _("A device id is 1-64 letters, digits, '.', '_' or '-', starting with a letter "
              "or digit.")
        )


class EntityType(models.TextChoices):
    """FIWARE Smart Data Models types a device's readings are published as (NGSI-LD)."""

    AIR_QUALITY = "AirQualityObserved", _("air quality")
    NOISE = "NoiseLevelObserved", _("noise level")
    WASTE_CONTAINER = "WasteContainer", _("waste container")
    PARKING_SPOT = "ParkingSpot", _("parking spot")
    STREETLIGHT = "Streetlight", _("street light")
    TRAFFIC = "TrafficFlowObserved", _("traffic flow")
    WATER = "WaterConsumptionObserved", _("water consumption")
    WEATHER = "WeatherObserved", _("weather")
    DEVICE = "DeviceMeasurement", _("other measurement")


class Quantity(models.Model):
    """What a device measures; the code is the attribute name in NGSI-LD (Smart Data Models)."""

    code = models.CharField(_("code"), max_length=64, unique=True)
    name_uk = models.CharField(_("name (Ukrainian)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    unit = models.CharField(_("unit (UN/CEFACT code)"), max_length=10, blank=True)
    unit_label = models.CharField(_("unit label"), max_length=20, blank=True)
    min_value = models.FloatField(_("lowest plausible value"), null=True, blank=True)
    max_value = models.FloatField(_("highest plausible value"), null=True, blank=True)
    retention_days = models.PositiveIntegerField(_("keep raw readings (days)"), default=365)

    class Meta:
        verbose_name = _("quantity")
        verbose_name_plural = _("quantities")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

    def clean(self) -> None:
        if not QUANTITY_RE.match(self.code):
            raise ValidationError({"code": _("A quantity code is a letter then letters, "
                                             "digits or '_'.")})

    def title(self) -> str:
        language = get_language() or "uk"
        return self.name_en if language.startswith("en") and self.name_en else self.name_uk


class DeviceModel(models.Model):
    """A kind of device: its payload decoder and the quantities it reports."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    manufacturer = models.CharField(_("manufacturer"), max_length=200, blank=True)
    entity_type = models.CharField(
        _("entity type"), max_length=40, choices=EntityType.choices, default=EntityType.DEVICE
    )
    decoder = models.CharField(
        _("payload decoder"), max_length=64, default="json",
        help_text=_("json (Misto JSON), cayenne_lpp, or a decoder a city registered."),
    )
    quantities = models.JSONField(_("quantities"), default=list, blank=True,
                                  help_text=_("Codes of the quantities it reports."))
    field_map = models.JSONField(
        _("decoder field map"), default=dict, blank=True,
        help_text=_('Decoder output name -> quantity code, e.g. {"temperature_1": '
                    '"temperature"}.'),
    )
    offline_after_minutes = models.PositiveIntegerField(
        _("offline after (minutes without data)"), default=60
    )

    class Meta:
        verbose_name = _("device model")
        verbose_name_plural = _("device models")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.decoder not in decoder_names():
            raise ValidationError({"decoder": _("Unknown decoder.")})
        if not isinstance(self.quantities, list) or not all(
            isinstance(code, str) for code in self.quantities
        ):
            raise ValidationError({"quantities": _("A list of quantity codes.")})
        missing = set(self.quantities) - set(
            Quantity.objects.filter(code__in=self.quantities).values_list("code", flat=True)
        )
        if missing:
            raise ValidationError({"quantities": _("Unknown quantities: %(codes)s")
                                   % {"codes": ", ".join(sorted(missing))}})
        if not isinstance(self.field_map, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in self.field_map.items()
        ):
            raise ValidationError({"field_map": _("A JSON object of names to quantity codes.")})


class Device(models.Model):
    """One installed device. ``uid`` is its id in MQTT topics, the API and NGSI-LD."""

    uid = models.CharField(_("device id"), max_length=64, unique=True, validators=[validate_uid])
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    model = models.ForeignKey(DeviceModel, on_delete=models.PROTECT, related_name="devices",
                              verbose_name=_("model"))
    owner_department = models.CharField(_("owner department"), max_length=64, blank=True)
    feature_id = models.BigIntegerField(_("twin feature"), null=True, blank=True)
    location = models.PointField(_("location"), srid=4326, null=True, blank=True)
    district = models.CharField(_("district code"), max_length=40, blank=True)
    dev_eui = models.CharField(_("LoRaWAN DevEUI"), max_length=16, unique=True, null=True,
                               blank=True)
    # Credentials: SHA-256 of the HTTP token; the MQTT password in mosquitto's PBKDF2 format.
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    mqtt_password_hash = models.CharField(max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    public = models.BooleanField(_("shown to the public"), default=True)
    last_seen = models.DateTimeField(_("last seen"), null=True, blank=True)
    offline = models.BooleanField(_("reported offline"), default=False)
    installed_at = models.DateTimeField(_("installed at"), default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)
    # Fields a network server's decoder sends that are no quantity of the model (name ->
    # a sample value): shown on the device page, so that the IT administrator can map them
    # in the model's field map. The known quantities of such an uplink are stored.
    unknown_fields = models.JSONField(_("unmapped decoder fields"), default=dict, blank=True)

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        ordering = ["uid"]
        indexes = [models.Index(fields=["last_seen"], name="iot_device_last_seen")]

    def __str__(self) -> str:
        return f"{self.uid} ({self.name})"


class Integration(models.Model):
    """A network server or gateway allowed to push readings, with its secret header."""

    class Kind(models.TextChoices):
        CHIRPSTACK = "chirpstack", _("ChirpStack v4 HTTP integration")
        TTS = "ttn", _("The Things Stack v3 webhook")
        HTTP = "http", _("HTTP batch (gateway)")

    name = models.CharField(_("name"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    header_name = models.CharField(_("secret header"), max_length=64, default="X-Misto-Secret")
    secret_hash = models.CharField(max_length=64)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("integration")
        verbose_name_plural = _("integrations")

    def __str__(self) -> str:
        return self.name


class Maintenance(models.Model):
    """The maintenance log of a device."""

    class Kind(models.TextChoices):
        INSTALLED = "installed", _("installed")
        CHECKED = "checked", _("checked")
        REPAIRED = "repaired", _("repaired")
        BATTERY = "battery", _("battery replaced")
        CALIBRATED = "calibrated", _("calibrated")
        REMOVED = "removed", _("removed")

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="maintenance")
    at = models.DateTimeField(_("when"), default=timezone.now)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                           blank=True, related_name="+")

    class Meta:
        verbose_name = _("maintenance record")
        verbose_name_plural = _("maintenance log")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.device_id} {self.kind} {self.at:%Y-%m-%d}"


class Reading(models.Model):
    """One value: the key (device, quantity, ts) makes a redelivered message a no-op."""

    pk = models.CompositePrimaryKey("device_id", "quantity", "ts")
    device_id = models.BigIntegerField()
    quantity = models.CharField(max_length=64)
    ts = models.DateTimeField()
    value = models.FloatField()

    class Meta:
        managed = False
        db_table = "iot_reading"

    def __str__(self) -> str:
        return f"{self.device_id} {self.quantity} {self.ts} = {self.value}"


class Latest(models.Model):
    """The latest value of each quantity of each device."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="latest")
    quantity = models.CharField(max_length=64)
    ts = models.DateTimeField()
    value = models.FloatField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["device", "quantity"],
                                               name="iot_latest_once")]

    def __str__(self) -> str:
        return f"{self.device_id} {self.quantity} = {self.value}"


class Aggregate(models.Model):
    """Hourly and daily count/sum/min/max, kept after the raw readings expire."""

    class Period(models.TextChoices):
        HOUR = "hour", _("hour")
        DAY = "day", _("day")

    device_id = models.BigIntegerField()
    quantity = models.CharField(max_length=64)
    period = models.CharField(max_length=4, choices=Period.choices)
    start = models.DateTimeField()
    count = models.PositiveIntegerField()
    total = models.FloatField()
    minimum = models.FloatField()
    maximum = models.FloatField()

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["device_id", "quantity", "period", "start"], name="iot_aggregate_once")]

    def __str__(self) -> str:
        return f"{self.device_id} {self.quantity} {self.period} {self.start}"

    @property
    def mean(self) -> float:
        return self.total / self.count if self.count else 0.0


class Severity(models.TextChoices):
    INFO = "info", _("information")
    WARNING = "warning", _("warning")
    CRITICAL = "critical", _("critical")


class Rule(models.Model):
    """A condition on readings. Scope: a model, a device or a district (or all devices).

    ``threshold``: value above (or below) ``threshold`` raises; it clears only when the value
    is back past ``clear_at`` (hysteresis; defaults to the threshold). ``rate``: the change
    per minute between two consecutive readings exceeds ``threshold`` in absolute value.
    ``silence``: no data for ``silence_minutes`` marks the device offline.
    """

    class Kind(models.TextChoices):
        THRESHOLD = "threshold", _("threshold")
        RATE = "rate", _("rate of change")
        SILENCE = "silence", _("no data")

    class Operator(models.TextChoices):
        ABOVE = "above", _("above")
        BELOW = "below", _("below")

    class Raises(models.TextChoices):
        READING = "reading", _("reading out of range")
        CONTAINER_FULL = "container_full", _("container full")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices,
                            default=Kind.THRESHOLD)
    quantity = models.CharField(_("quantity"), max_length=64, blank=True)
    model = models.ForeignKey(DeviceModel, on_delete=models.CASCADE, null=True, blank=True,
                              related_name="rules")
    device = models.ForeignKey(Device, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="rules")
    district = models.CharField(_("district code"), max_length=40, blank=True)
    operator = models.CharField(_("operator"), max_length=5, choices=Operator.choices,
                                default=Operator.ABOVE)
    threshold = models.FloatField(_("threshold"), null=True, blank=True)
    clear_at = models.FloatField(_("clears at"), null=True, blank=True)
    silence_minutes = models.PositiveIntegerField(_("minutes without data"), null=True,
                                                  blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices,
                                default=Severity.WARNING)
    public_impact = models.BooleanField(_("affects the public"), default=False)
    raises = models.CharField(_("raises"), max_length=16, choices=Raises.choices,
                              default=Raises.READING)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("rule")
        verbose_name_plural = _("rules")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind in {self.Kind.THRESHOLD, self.Kind.RATE}:
            if not self.quantity or self.threshold is None:
                raise ValidationError(_("A threshold or rate rule needs a quantity and a "
                                        "threshold."))
            if self.kind == self.Kind.THRESHOLD and self.clear_at is not None:
                wrong_side = (self.clear_at > self.threshold if self.operator == "above"
                              else self.clear_at < self.threshold)
                if wrong_side:
                    raise ValidationError({"clear_at": _("The clearing value must lie on the "
                                                         "normal side of the threshold.")})
        elif not self.silence_minutes:
            raise ValidationError({"silence_minutes": _("How many minutes without data?")})


class RuleState(models.Model):
    """Whether a rule is raised for a device: events fire only on a change of this row."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="states")
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="rule_states")
    active = models.BooleanField(default=False)
    since = models.DateTimeField(null=True, blank=True)
    last_ts = models.DateTimeField(null=True, blank=True)
    last_value = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rule", "device"],
                                               name="iot_rulestate_once")]

    def __str__(self) -> str:
        return f"{self.rule_id}/{self.device_id}: {'raised' if self.active else 'normal'}"


class DeadLetter(models.Model):
    """A payload that could not be stored, with the reason; nothing else was changed."""

    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    channel = models.CharField(_("channel"), max_length=16)
    source = models.CharField(_("topic or path"), max_length=300, blank=True)
    device_uid = models.CharField(_("device"), max_length=100, blank=True)
    reason = models.CharField(_("reason"), max_length=40)
    detail = models.CharField(_("detail"), max_length=1000, blank=True)
    payload = models.TextField(_("payload"), blank=True)

    class Meta:
        verbose_name = _("dead letter")
        verbose_name_plural = _("dead letters")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.channel} {self.reason}"
