"""The City Progress Index: indicators, their values with lineage, targets and reports.

An indicator's definition is data (``catalogue.csv``, loaded and validated by
``services.catalogue``; a city adds its own in the admin). A value is never overwritten:
a recomputation or a corrected entry supersedes the current row (``superseded_at``), so the
history of every value stays readable with how each one was obtained.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Theme(models.TextChoices):
    ECONOMY = "economy", _("economy")
    EDUCATION = "education", _("education")
    ENERGY = "energy", _("energy")
    ENVIRONMENT = "environment", _("environment and climate")
    FINANCE = "finance", _("finance")
    GOVERNANCE = "governance", _("governance")
    HEALTH = "health", _("health")
    HOUSING = "housing", _("housing")
    POPULATION = "population", _("population and social conditions")
    SAFETY = "safety", _("safety")
    ICT = "ict", _("telecommunication and digital services")
    TRANSPORT = "transport", _("transportation")
    URBAN = "urban", _("urban planning")
    WASTE = "waste", _("solid waste")
    WATER = "water", _("water and sanitation")
    CULTURE = "culture", _("sport, culture and recreation")


class Direction(models.TextChoices):
    HIGHER = "higher", _("higher is better")
    LOWER = "lower", _("lower is better")


class Framework(models.TextChoices):
    ISO37120 = "iso37120", _("ISO 37120 (sustainable cities)")
    ISO37122 = "iso37122", _("ISO 37122 (smart cities)")
    ISO37123 = "iso37123", _("ISO 37123 (resilient cities)")
    U4SSC = "u4ssc", _("U4SSC key performance indicators")
    STRATEGY = "strategy", _("the city's strategy")
    CITY = "city", _("the city's own indicator")


class Method(models.TextChoices):
    COMPUTED = "computed", _("computed from the platform's data")
    ENTERED = "entered", _("entered by the responsible department")
    IMPORTED = "imported", _("imported from a state register")


# Unit codes of the catalogue and how people read them (a unit not listed shows as is).
UNITS = {
    "count": _("count"), "%": "%", "h": _("hours"), "days": _("days"), "min": _("minutes"),
    "places": _("places"), "persons": _("persons"), "per 100": _("per 100 residents"),
    "per 1000": _("per 1,000 residents"), "per 100000": _("per 100,000 residents"),
    "km per 100000": _("km per 100,000 residents"), "per resident": _("per resident"),
    "kWh": _("kWh per resident"), "kWh/m²": _("kWh/m²"), "t CO2e": _("t CO₂e per resident"),
    "ha": _("ha per 100,000 residents"), "trees": _("trees"), "pupils": _("pupils"),
    "years": _("years"), "l/day": _("litres a day"), "kg": _("kg per resident"),
    "µg/m³": "µg/m³", "dB(A)": "dB(A)",
}


class Indicator(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name_uk = models.CharField(_("name (Ukrainian)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300)
    theme = models.CharField(_("theme"), max_length=16, choices=Theme.choices)
    unit = models.CharField(_("unit"), max_length=32)
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    framework = models.CharField(_("framework"), max_length=12, choices=Framework.choices)
    reference = models.CharField(_("reference in the framework"), max_length=80, blank=True)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    # A computed indicator's formula: a registered function's name
    # (``reports.resolution_hours_median``) or ``= <expression over {CODE}s>``.
    formula = models.CharField(_("formula"), max_length=300, blank=True)
    definition_uk = models.TextField(_("definition (Ukrainian)"))
    definition_en = models.TextField(_("definition (English)"))
    department = models.CharField(_("responsible department"), max_length=64, blank=True)
    min_value = models.FloatField(_("lowest possible value"), null=True, blank=True)
    max_value = models.FloatField(_("highest possible value"), null=True, blank=True)
    # Fixed goalposts of the composite index: the worst and the best value, set once so
    # that scores of different years compare.
    goal_worst = models.FloatField(_("goalpost: worst"), null=True, blank=True)
    goal_best = models.FloatField(_("goalpost: best"), null=True, blank=True)
    weight = models.FloatField(_("weight in its theme"), default=1.0)
    shipped = models.BooleanField(_("from the shipped catalogue"), default=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["theme", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return f"{self.code} {self.name_uk}"

    @property
    def scope_department(self) -> str:
        return self.department

    @property
    def unit_label(self) -> str:
        return str(UNITS.get(self.unit, self.unit))


class Value(models.Model):
    """One value of an indicator for a period (``2026``, ``2026-Q1``, ``2026-03``), for the
    whole city (``district`` empty) or a district, with its lineage."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    period = models.CharField(_("period"), max_length=8, db_index=True)
    district = models.CharField(_("district code"), max_length=32, blank=True)
    value = models.FloatField(_("value"))
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    # Computed: which function, which version, how many rows it counted.
    function = models.CharField(_("function"), max_length=120, blank=True)
    function_version = models.PositiveIntegerField(_("function version"), null=True,
                                                   blank=True)
    inputs = models.PositiveIntegerField(_("inputs counted"), null=True, blank=True)
    # Entered or imported: who, and the document it comes from.
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    source = models.CharField(_("source document"), max_length=300, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)

    class Meta:
        ordering = ["indicator", "period", "district", "-recorded_at"]
        constraints = [models.UniqueConstraint(
            fields=["indicator", "period", "district"], condition=Q(superseded_at=None),
            name="index_one_current_value")]
        indexes = [models.Index(fields=["indicator", "period", "district"],
                                name="index_value_lookup")]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.period} {self.value}"


class Target(models.Model):
    """The planned value of an indicator for a year (the strategy's stages)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.FloatField(_("planned value"))
    source = models.CharField(_("source document"), max_length=300, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                               null=True, blank=True, related_name="+")
    set_at = models.DateTimeField(_("set at"), default=timezone.now)

    class Meta:
        ordering = ["indicator", "year"]
        constraints = [models.UniqueConstraint(fields=["indicator", "year"],
                                               name="index_one_target_a_year")]
        verbose_name = _("target")
        verbose_name_plural = _("targets")

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.year} {self.value}"


class Report(models.Model):
    """A yearly monitoring report as generated (kept: the council gets this very file)."""

    year = models.PositiveSmallIntegerField(_("year"))
    generated_at = models.DateTimeField(_("generated at"), default=timezone.now)
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+")
    planned = models.PositiveIntegerField(_("indicators with a target"), default=0)
    achieved = models.PositiveIntegerField(_("achieved"), default=0)
    missing = models.PositiveIntegerField(_("without an actual value"), default=0)
    pdf = models.BinaryField()
    xlsx = models.BinaryField()

    class Meta:
        ordering = ["-year", "-generated_at"]
        verbose_name = _("monitoring report")
        verbose_name_plural = _("monitoring reports")

    def __str__(self) -> str:
        return f"{self.year} ({self.generated_at:%Y-%m-%d})"


class Reminder(models.Model):
    """A January reminder sent for an entered indicator still missing last year's value
    (one per indicator and year, so the daily job reminds once)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["indicator", "year"],
                                               name="index_one_reminder_a_year")]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.year}"
