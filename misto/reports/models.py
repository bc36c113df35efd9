"""Reports' data: departments, the category tree, reports with their history and photos,
followers, the caller's private contact, and the API keys of third-party Open311 apps."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib.gis.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from misto.core.crypto import EncryptedTextField


class Status(models.TextChoices):
    NEW = "new", _("New")
    ACCEPTED = "accepted", _("Accepted")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    REJECTED = "rejected", _("Rejected")
    DUPLICATE = "duplicate", _("Duplicate")


OPEN_STATUSES = (Status.NEW, Status.ACCEPTED, Status.IN_PROGRESS)
CLOSED_STATUSES = (Status.RESOLVED, Status.REJECTED, Status.DUPLICATE)


class Channel(models.TextChoices):
    WEB = "web", _("Web or phone app")
    PHONE = "phone", _("Contact centre call")
    OPEN311 = "open311", _("Open311 app")


class Datatype(models.TextChoices):
    """Open311 service-definition attribute types."""

    STRING = "string", _("Short text")
    NUMBER = "number", _("Number")
    DATETIME = "datetime", _("Date and time")
    TEXT = "text", _("Long text")
    SINGLE = "singlevaluelist", _("One of a list")
    MULTI = "multivaluelist", _("Several of a list")


class Department(models.Model):
    """A service that handles reports (a city department or a utility company)."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    phone = models.CharField(_("public phone"), max_length=40, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """A node of the service tree; leaves are what residents report (Open311 services)."""

    code = models.SlugField(_("service code"), max_length=64, unique=True)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="children",
                               verbose_name=pgettext_lazy("category", "parent"))
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    keywords = models.CharField(_("keywords"), max_length=300, blank=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="categories", verbose_name=_("department"))
    sla_hours = models.PositiveIntegerField(_("target time to resolve (hours)"), default=72)
    twin_layers = models.JSONField(_("related twin layers"), default=list, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "title"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.title


class CategoryRoute(models.Model):
    """Which department handles a category in one district (overrides the category's)."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="routes")
    district = models.CharField(_("district code"), max_length=32)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="routes")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["category", "district"],
                                               name="reports_route_once")]

    def __str__(self) -> str:
        return f"{self.category_id}@{self.district} -> {self.department_id}"


class Attribute(models.Model):
    """A question the category asks (an Open311 service-definition attribute)."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="attributes")
    code = models.SlugField(_("code"), max_length=64)
    description = models.CharField(_("question"), max_length=300)
    description_en = models.CharField(_("question (English)"), max_length=300, blank=True)
    datatype = models.CharField(_("type"), max_length=20, choices=Datatype.choices,
                                default=Datatype.STRING)
    required = models.BooleanField(_("required"), default=False)
    variable = models.BooleanField(_("asked of the resident"), default=True)
    datatype_description = models.CharField(_("hint"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    # [{"key": "...", "name": "...", "name_en": "..."}] for list types.
    values = models.JSONField(_("values"), default=list, blank=True)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [models.UniqueConstraint(fields=["category", "code"],
                                               name="reports_attribute_once")]

    def __str__(self) -> str:
        return self.code


class CatalogueStamp(models.Model):
    """One row that changes whenever the category tree does: the database's own triggers
    (migration 0006, on departments, categories, questions and routes) give it a new random
    stamp in the changing statement's transaction. The tree kept in memory
    (``services.catalogue``) is reused while the stamp is the one it was loaded under.
    Random rather than a counter: a rolled-back change and a later one must never share a
    value. Never written by the application."""

    stamp = models.CharField(max_length=40)


class Report(models.Model):
    """A problem a resident (or an operator on a caller's behalf, or an app) reported."""

    # "2026-000123": the year received (UTC) and the row id, given by the database itself
    # (a trigger, migration 0007) in the insert that makes the row, which returns it.
    public_id = models.CharField(_("number"), max_length=20, unique=True, null=True,
                                 db_default=None)
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="reports")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True,
                                   related_name="reports")
    district = models.CharField(_("district code"), max_length=32, blank=True, db_index=True)
    district_name = models.CharField(_("district"), max_length=200, blank=True)
    location = models.PointField(_("location"), srid=4326, spatial_index=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    landmark = models.CharField(_("landmark number"), max_length=32, blank=True)
    description = models.TextField(_("description"))
    # What the public sees when a moderator edited the text; the original stays above.
    public_description = models.TextField(_("public description"), blank=True)
    hidden = models.BooleanField(_("hidden by a moderator"), default=False)
    attributes = models.JSONField(_("answers"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.NEW, db_index=True)
    status_note = models.TextField(_("status note"), blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices,
                               default=Channel.WEB)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="reports")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                 null=True, blank=True, related_name="assigned_reports")
    duplicate_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="duplicates")
    media_url = models.URLField(_("photo link from an app"), max_length=500, blank=True)
    api_key = models.ForeignKey("ApiKey", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="reports")
    created_at = models.DateTimeField(_("reported at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    due_at = models.DateTimeField(_("due by"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["department", "status"], name="reports_queue"),
                   models.Index(fields=["status", "due_at"], name="reports_due")]

    def __str__(self) -> str:
        return self.public_id or f"#{self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        if self.public_id is None:  # SQLite's trigger numbers the row after the insert
            self.public_id = Report.objects.values_list("public_id", flat=True).get(pk=self.pk)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def shown_description(self) -> str:
        return self.public_description or self.description


class SubmissionKey(models.Model):
    """The idempotency key a report was submitted with (a form's hidden token, an
    ``Idempotency-Key`` header), as SHA-256 of channel, app and key: a retried submission
    finds its first report. Its own table so that the unique index costs the reports'
    table nothing."""

    digest = models.CharField(max_length=64, unique=True)
    report = models.OneToOneField(Report, on_delete=models.CASCADE,
                                  related_name="submission_key")

    def __str__(self) -> str:
        return f"key of {self.report_id}"


class Contact(models.Model):
    """How to reach the person who reported: staff only, never public, never in events.

    Encrypted at rest with the register's keys (``misto.core.crypto``). No blind index: no
    page or API looks a report up by its reporter's contact.
    """

    report = models.OneToOneField(Report, on_delete=models.CASCADE, related_name="contact")
    name = EncryptedTextField(_("name"), blank=True)
    phone = EncryptedTextField(_("phone"), blank=True)
    email = EncryptedTextField(_("e-mail"), blank=True)

    def __str__(self) -> str:
        return f"contact of {self.report_id}"


class Photo(models.Model):
    class Kind(models.TextChoices):
        REPORT = "report", _("From the report")
        RESOLUTION = "resolution", _("Of the fix")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.REPORT)
    image = models.FileField(upload_to="reports/%Y/%m/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    hidden = models.BooleanField(_("hidden by a moderator"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.image.name

    def get_absolute_url(self) -> str:
        """Where the photo is served, with its access check (never the storage's path)."""
        return reverse("reports:photo", args=[self.pk])

    @property
    def is_public(self) -> bool:
        return not self.hidden and not self.report.hidden


class Change(models.Model):
    """One line of a report's history: a status change, an assignment, a moderation."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Reported")
        STATUS = "status", _("Status changed")
        ASSIGNED = "assigned", _("Assigned")
        ESCALATED = "escalated", _("Overdue: escalated")
        MODERATED = "moderated", _("Moderated")
        DUPLICATE = "duplicate", _("Linked as duplicate")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    previous_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    note = models.TextField(blank=True)
    public = models.BooleanField(default=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.report_id} {self.kind} {self.status}"


class Follower(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="followed_reports")
    since = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "user"],
                                               name="reports_follow_once")]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.report_id}"


class ApiKey(models.Model):
    """An Open311 API key of a third-party app; only the key's SHA-256 is stored."""

    name = models.CharField(_("application"), max_length=200)
    # The partner organisation's code in the city directory, when the app is a partner's
    # (its page then lists the app); a plain code, so reports needs no directory.
    organisation = models.SlugField(_("organisation"), max_length=80, blank=True,
                                    db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
