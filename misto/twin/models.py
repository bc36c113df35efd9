"""The digital twin's tables: layers, features (the current state) and their history.

A :class:`Feature` row always holds the *current* version of an object; every earlier version
is kept in :class:`FeatureVersion` with the interval it was valid for, who made it and why.
Retiring a feature is a last version (``action = retired``): the row stays, so numbers and
links from other modules never dangle, and the feature can still be seen "as of" a past date.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class GeometryType(models.TextChoices):
    POINT = "Point", _("point")
    LINESTRING = "LineString", _("line")
    POLYGON = "Polygon", _("polygon")
    MULTIPOINT = "MultiPoint", _("multi-point")
    MULTILINESTRING = "MultiLineString", _("multi-line")
    MULTIPOLYGON = "MultiPolygon", _("multi-polygon")
    ANY = "Geometry", _("any geometry")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("public")
    STAFF = "staff", _("staff only")


class Action(models.TextChoices):
    CREATED = "created", _("created")
    CHANGED = "changed", _("changed")
    RETIRED = "retired", _("retired")


def validate_schema(value: Any) -> None:
    """A layer's property schema must itself be a valid JSON Schema object schema."""
    if not isinstance(value, dict):
        raise ValidationError(_("The property schema must be a JSON object."))
    # jsonschema is imported when a schema is checked, not with the models: it costs every
    # process ~0.07 s at start-up.
    import jsonschema

    try:
        jsonschema.Draft202012Validator.check_schema(value)
    except jsonschema.SchemaError as error:
        raise ValidationError(
            _("The property schema is not a valid JSON Schema: %(reason)s"),
            params={"reason": error.message},
        ) from error


def validate_numbering(value: Any) -> None:
    """Numbering settings: ``{"prefix": "{district}-", "digits": 4}`` (both optional)."""
    if not isinstance(value, dict):
        raise ValidationError(_("Numbering settings must be a JSON object."))
    unknown = set(value) - {"prefix", "digits"}
    if unknown:
        raise ValidationError(
            _("Unknown numbering settings: %(keys)s"), params={"keys": ", ".join(sorted(unknown))}
        )
    prefix = value.get("prefix", "{district}-")
    digits = value.get("digits", 4)
    if not isinstance(prefix, str) or not isinstance(digits, int) or not 1 <= digits <= 9:
        raise ValidationError(_("Numbering needs a text prefix and 1 to 9 digits."))
    try:
        prefix.format(district="00", layer="x")
    except (KeyError, IndexError, ValueError) as error:
        raise ValidationError(
            _("The numbering prefix may only use {district} and {layer}.")
        ) from error


class TileVersion(models.Model):
    """One row whose ``token`` names the current state of the map's features and layers.

    Every change to a feature or a layer sets a new random token in its own transaction
    (``misto.twin.tiles.touch``), so a tile cached under a token, and the ETag made from it,
    are current exactly while the token stays. Random, not a counter: a rolled-back change
    must not hand out again a token that named other contents.
    """

    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = _("map tiles version")
        verbose_name_plural = _("map tiles version")

    def __str__(self) -> str:
        return self.token


class Layer(models.Model):
    """A kind of city object: districts, streets, buildings, landmarks, shelters..."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    title_uk = models.CharField(_("title (Ukrainian)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    geometry_type = models.CharField(
        _("geometry type"), max_length=20, choices=GeometryType.choices,
        default=GeometryType.ANY,
    )
    schema = models.JSONField(
        _("property schema"), default=dict, blank=True, validators=[validate_schema],
        help_text=_("A JSON Schema for the features' properties."),
    )
    owner_department = models.CharField(_("owner department"), max_length=64, blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    numbering = models.JSONField(
        _("landmark numbering"), default=dict, blank=True, validators=[validate_numbering],
        help_text=_('For numbered layers: {"prefix": "{district}-", "digits": 4}.'),
    )
    numbered = models.BooleanField(_("numbered landmarks"), default=False)
    min_zoom = models.PositiveSmallIntegerField(_("shown from zoom"), default=0)
    color = models.CharField(_("map colour"), max_length=7, default="#0b5cad")
    builtin = models.BooleanField(_("built in"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("layer")
        verbose_name_plural = _("layers")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

    @property
    def scope_department(self) -> str:
        """Permission scope: a department clerk edits only the layers it owns."""
        return self.owner_department

    @property
    def scope_district(self) -> None:
        return None  # a layer spans the city; a district-bound assignment never edits it

    def title(self, language: str | None = None) -> str:
        from django.utils.translation import get_language

        lang = language or get_language() or "uk"
        return self.title_en if lang.startswith("en") and self.title_en else self.title_uk


class Feature(models.Model):
    """One city object in its current version."""

    layer = models.ForeignKey(Layer, on_delete=models.PROTECT, related_name="features")
    geometry = models.GeometryField(_("geometry"), srid=4326, spatial_index=True)
    properties = models.JSONField(_("properties"), default=dict, blank=True)
    number = models.CharField(_("public number"), max_length=32, unique=True, null=True,
                              blank=True)
    name = models.CharField(_("name"), max_length=300, blank=True)
    # Normalised name/address (lower case, no apostrophes, KMU-2010 Latin): search matches it.
    search_key = models.CharField(max_length=300, blank=True, db_index=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    action = models.CharField(_("last action"), max_length=10, choices=Action.choices,
                              default=Action.CREATED)
    valid_from = models.DateTimeField(_("valid from"), default=timezone.now)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("changed by"),
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("feature")
        verbose_name_plural = _("features")
        indexes = [models.Index(fields=["layer", "search_key"], name="twin_feature_layer_key")]

    def __str__(self) -> str:
        return self.number or self.name or f"{self.layer_id}:{self.pk}"

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


class FeatureVersion(models.Model):
    """An earlier version of a feature, valid in ``[valid_from, valid_to)``."""

    feature = models.ForeignKey(Feature, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField(_("version"))
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    geometry = models.GeometryField(_("geometry"), srid=4326, spatial_index=False)
    properties = models.JSONField(_("properties"), default=dict)
    number = models.CharField(_("public number"), max_length=32, null=True, blank=True)
    name = models.CharField(_("name"), max_length=300, blank=True)
    valid_from = models.DateTimeField(_("valid from"))
    valid_to = models.DateTimeField(_("valid to"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("changed by"),
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("feature version")
        verbose_name_plural = _("feature versions")
        ordering = ["feature", "version"]
        constraints = [
            models.UniqueConstraint(fields=["feature", "version"], name="twin_version_once"),
        ]
        indexes = [models.Index(fields=["valid_from", "valid_to"], name="twin_version_span")]

    def __str__(self) -> str:
        return f"{self.feature_id} v{self.version}"


class RouteGraph(models.Model):
    """Which version of the streets the routing graph was built from (one row).

    ``signature`` summarises the streets and footpaths layers (how many features, the sum of
    their versions, the latest change): when it differs the edges below are rebuilt.
    """

    signature = models.CharField(max_length=200)
    built_at = models.DateTimeField(default=timezone.now)
    nodes = models.PositiveIntegerField(default=0)
    edges = models.PositiveIntegerField(default=0)


class RouteEdge(models.Model):
    """One piece of street between two nodes (ends and crossings), walkable both ways.

    PostGIS routes over this table with pgRouting; SpatiaLite loads it into networkx. Costs
    are seconds; ``drive_s`` is driving from ``source`` to ``target`` and
    ``reverse_drive_s`` back, each null where cars may not go (footpaths; the wrong way
    along a one-way street).
    """

    source = models.PositiveIntegerField()
    target = models.PositiveIntegerField()
    length_m = models.FloatField()
    walk_s = models.FloatField()
    drive_s = models.FloatField(null=True)
    reverse_drive_s = models.FloatField(null=True)
    name = models.CharField(max_length=300, blank=True)
    geometry = models.LineStringField(srid=4326, spatial_index=False)
