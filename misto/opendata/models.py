"""The catalogue: datasets (DCAT-AP's dcat:Dataset), their resources (distributions),
each regeneration as a version with its lineage, and the datastore's typed rows."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

CC_BY_4 = "CC-BY-4.0"


class State(models.TextChoices):
    PUBLISHED = "published", _("published")
    WITHDRAWN = "withdrawn", _("withdrawn")


class Dataset(models.Model):
    name = models.SlugField(_("name"), max_length=100, unique=True)
    title = models.CharField(_("title (Ukrainian)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    description = models.TextField(_("description (Ukrainian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    publisher = models.CharField(_("publisher department"), max_length=64)
    theme = models.CharField(_("theme (EU data theme)"), max_length=8)
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    licence = models.CharField(_("licence"), max_length=40, default=CC_BY_4)
    temporal_start = models.DateField(_("covers from"), null=True, blank=True)
    temporal_end = models.DateField(_("covers until"), null=True, blank=True)
    spatial = models.CharField(_("spatial coverage"), max_length=200, blank=True)
    frequency = models.CharField(_("update frequency (EU code)"), max_length=20)
    contact_name = models.CharField(_("contact point"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    resolution_835 = models.CharField(_("item of CMU resolution 835"), max_length=16,
                                      blank=True)
    # The declaring module (its label) and producer; empty for a hand-described dataset.
    source_module = models.CharField(_("source module"), max_length=64, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=State.choices,
                             default=State.PUBLISHED)
    withdrawn_reason = models.TextField(_("why it was withdrawn"), blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=0)
    # CKAN's id: UUIDv5 of the name, stored so an id is found by an index.
    ckan_id = models.UUIDField(_("CKAN id"), unique=True, null=True, editable=False)
    # Every word search matches (names, titles, descriptions, keywords), case-folded in
    # Python (SQLite's LIKE folds only ASCII and the titles are Ukrainian): see
    # ``services.catalogue.index``.
    search_text = models.TextField(_("search text"), blank=True, editable=False)
    # Stale: the declaring module's events changed its data since the last regeneration.
    stale_since = models.DateTimeField(_("stale since"), null=True, blank=True)
    created_at = models.DateTimeField(_("listed at"), default=timezone.now)
    modified_at = models.DateTimeField(_("data changed at"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("open dataset")
        verbose_name_plural = _("open datasets")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        if self.ckan_id is None:
            self.ckan_id = ckan_id(self.name)
        super().save(*args, **kwargs)  # type: ignore[arg-type]


def ckan_id(name: str) -> uuid.UUID:
    """A stable UUID per dataset name (CKAN's ids are UUIDs; names may be used too)."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"misto:opendata:{name}")


class Facet(models.Model):
    """One value of one CKAN facet of a dataset (``tags``, ``organization``, ``groups``,
    ``res_format``, ``license_id``): search filters and counts facets in SQL."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="facets")
    key = models.CharField(max_length=16)
    value = models.CharField(max_length=200)

    class Meta:
        indexes = [models.Index(fields=["key", "value"])]
        constraints = [models.UniqueConstraint(fields=["dataset", "key", "value"],
                                               name="opendata_facet_once")]

    def __str__(self) -> str:
        return f"{self.dataset_id} {self.key}={self.value}"


class Resource(models.Model):
    """One distribution: a table in one format. The CSV one of each table carries the
    datastore rows (CKAN's ``datastore_active``)."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="resources")
    table = models.SlugField(_("table"), max_length=100)
    format = models.CharField(_("format"), max_length=16)
    title = models.CharField(_("title (Ukrainian)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    schema = models.JSONField(_("Table Schema"), default=dict)
    content = models.TextField(_("content"), blank=True)
    # The file when it is binary (Parquet); ``content`` is then empty.
    binary = models.BinaryField(_("binary content"), null=True, blank=True)
    size = models.PositiveIntegerField(_("size, bytes"), default=0)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    checksum = models.CharField(_("SHA-256"), max_length=64, blank=True)
    datastore = models.BooleanField(_("rows in the datastore"), default=False)
    downloads = models.PositiveIntegerField(_("downloads"), default=0)
    modified_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        ordering = ["dataset", "table", "format"]
        constraints = [models.UniqueConstraint(fields=["dataset", "table", "format"],
                                               name="opendata_resource_once")]

    def __str__(self) -> str:
        return f"{self.dataset.name}/{self.table}.{self.format.lower()}"

    @property
    def extension(self) -> str:
        return self.format.lower()


class Version(models.Model):
    """A regeneration that changed the data: what it produced and where from."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    created_at = models.DateTimeField(_("made at"), default=timezone.now)
    rows = models.JSONField(_("rows per table"), default=dict)
    checksums = models.JSONField(_("checksums per file"), default=dict)
    # Where it came from: the module and producer of each table.
    lineage = models.JSONField(_("lineage"), default=dict)

    class Meta:
        ordering = ["dataset", "-number"]
        constraints = [models.UniqueConstraint(fields=["dataset", "number"],
                                               name="opendata_version_once")]

    def __str__(self) -> str:
        return f"{self.dataset.name} v{self.number}"


class Row(models.Model):
    """A datastore row of a resource, typed as its Table Schema says (JSON types)."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="rows_set")
    n = models.PositiveIntegerField()
    data = models.JSONField()
    # Lower-cased text of every value, for the datastore's ``q``.
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["resource", "n"]
        indexes = [models.Index(fields=["resource", "n"])]

    def __str__(self) -> str:
        return f"{self.resource} #{self.n}"


class Service(models.TextChoices):
    CKAN = "ckan", _("CKAN Action API")
    CATALOGUE = "catalogue", _("DCAT-AP catalogue")
    DOWNLOAD = "download", _("file downloads")


class Requests(models.Model):
    """Requests to the open-data services per day: the strategy's KPI 4.2 #2. Counts only,
    nothing about who asked."""

    day = models.DateField(_("day"))
    service = models.CharField(_("service"), max_length=16, choices=Service.choices)
    count = models.PositiveIntegerField(_("requests"), default=0)

    class Meta:
        ordering = ["-day", "service"]
        constraints = [models.UniqueConstraint(fields=["day", "service"],
                                               name="opendata_requests_once")]

    def __str__(self) -> str:
        return f"{self.day} {self.service}: {self.count}"
