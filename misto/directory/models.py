"""Organisations, their units (service points on the twin), contacts, hours and closures,
the e-services catalogue and residents' corrections.

A unit's place is a point the twin resolved (``misto.twin.locate``): the address and the
landmark number are what the twin answered, kept so the card needs no query; the directory
has no geography of its own. Opening hours are stored in the OpenStreetMap ``opening_hours``
syntax (weekly hours, breaks, seasonal periods, dated rules), checked on the way in; public
holidays and the city's days off come from the shared calendar (``misto.core.workdays``),
closures from :class:`Closure` rows, so neither has to be written into every unit's string.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OrgKind(models.TextChoices):
    DEPARTMENT = "department", _("city department")
    ENTERPRISE = "enterprise", _("municipal enterprise")
    ASC = "asc", _("administrative services centre (ЦНАП)")
    SCHOOL = "school", _("school")
    KINDERGARTEN = "kindergarten", _("kindergarten")
    CLINIC = "clinic", _("clinic")
    SHELTER_KEEPER = "shelter_keeper", _("shelter keeper")
    NGO = "ngo", _("non-governmental organisation")
    BUSINESS = "business", _("business partner")
    UNIVERSITY = "university", _("university")


class PartnerRole(models.TextChoices):
    NONE = "", _("not a partner")
    AUTHORITY = "authority", _("authority")
    ENTERPRISE = "enterprise", _("enterprise")
    STARTUP = "startup", _("start-up")
    NGO = "ngo", _("non-profit")
    UNIVERSITY = "university", _("university")


class Organisation(models.Model):
    slug = models.SlugField(_("code"), unique=True, max_length=80)
    kind = models.CharField(_("kind"), max_length=16, choices=OrgKind.choices)
    name_uk = models.CharField(_("name (Ukrainian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description_uk = models.TextField(_("description (Ukrainian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    department = models.CharField(
        _("maintaining department"), max_length=64, db_index=True,
        help_text=_("The department whose clerks keep this entry (permission scope)."))
    partner_role = models.CharField(_("partner role"), max_length=16, blank=True,
                                    choices=PartnerRole.choices)
    partner_offer_uk = models.TextField(_("what it offers the city (Ukrainian)"), blank=True)
    partner_offer_en = models.TextField(_("what it offers the city (English)"), blank=True)
    public = models.BooleanField(_("shown to residents"), default=True)

    class Meta:
        ordering = ["name_uk"]

    def __str__(self) -> str:
        return self.name_uk


class Unit(models.Model):
    """A service point: an office, a school building, a clinic's reception."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="units")
    slug = models.SlugField(_("code"), unique=True, max_length=80)
    name_uk = models.CharField(_("name (Ukrainian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    landmark = models.CharField(_("nearest landmark"), max_length=16, blank=True)
    district = models.CharField(_("district"), max_length=32, blank=True)
    hours = models.CharField(_("opening hours (OpenStreetMap syntax)"), max_length=500,
                             blank=True)
    closed_on_days_off = models.BooleanField(
        _("closed on public holidays and the city's days off"), default=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    step_free = models.BooleanField(_("step-free entrance"), default=False)
    ramp = models.BooleanField(_("ramp"), default=False)
    accessible_toilet = models.BooleanField(_("accessible toilet"), default=False)
    hearing_loop = models.BooleanField(_("hearing loop"), default=False)
    services: models.ManyToManyField[EService, Any] = models.ManyToManyField(
        "EService", blank=True, related_name="units")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name_uk"]

    def __str__(self) -> str:
        return self.name_uk

    @property
    def department(self) -> str:
        """The permission scope: the maintaining department of the organisation."""
        return self.organisation.department


def photo_path(instance: UnitPhoto, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower()[:5] if "." in filename else "jpg"
    now = timezone.now()
    return f"directory/{now:%Y/%m}/unit-{instance.unit_id}-{now:%H%M%S%f}.{suffix}"


class UnitPhoto(models.Model):
    """A photo of a unit (its entrance, so people recognise it), re-encoded without metadata
    by the core's photo pipeline; ``caption`` is the image's text alternative."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(upload_to=photo_path)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    caption_uk = models.CharField(_("caption (Ukrainian)"), max_length=200)
    caption_en = models.CharField(_("caption (English)"), max_length=200, blank=True)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "pk"]

    def __str__(self) -> str:
        return self.caption_uk


class ApiClient(models.Model):
    """A partner's registered API client: a key (only its SHA-256 is stored) with which the
    partner's own system updates the hours and closures of the partner's own units."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="api_clients")
    name = models.CharField(_("application"), max_length=200)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                   blank=True, related_name="+")
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organisation__name_uk", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def department(self) -> str:
        """The permission scope: the partner's maintaining department."""
        return self.organisation.department


class ContactKind(models.TextChoices):
    PHONE = "phone", _("phone")
    EMAIL = "email", _("e-mail")
    WEBSITE = "website", _("website")
    SOCIAL = "social", _("social page")


class Contact(models.Model):
    """A phone (stored E.164), an e-mail, a website or a social page of a unit."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(_("kind"), max_length=8, choices=ContactKind.choices)
    value = models.CharField(_("value"), max_length=300)
    label = models.CharField(_("label"), max_length=100, blank=True)

    class Meta:
        ordering = ["kind", "pk"]

    def __str__(self) -> str:
        return self.value


class Closure(models.Model):
    """Closed from ``start`` to ``end`` inclusive, with the reason residents see."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="closures")
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    reason_uk = models.CharField(_("reason (Ukrainian)"), max_length=200)
    reason_en = models.CharField(_("reason (English)"), max_length=200, blank=True)

    class Meta:
        ordering = ["start"]

    def __str__(self) -> str:
        return f"{self.start}–{self.end}: {self.reason_uk}"


class EService(models.Model):
    """A service a resident can get: online, through Diia, or at the units that offer it."""

    slug = models.SlugField(_("code"), unique=True, max_length=80)
    title_uk = models.CharField(_("title (Ukrainian)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    summary_uk = models.TextField(_("summary (Ukrainian)"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    keywords = models.CharField(
        _("search words"), max_length=500, blank=True,
        help_text=_("Words residents search by, both languages (довідка, паспорт...)."))
    documents_uk = models.TextField(_("required documents (Ukrainian), one a line"), blank=True)
    documents_en = models.TextField(_("required documents (English), one a line"), blank=True)
    cost_uk = models.CharField(_("cost (Ukrainian)"), max_length=200, blank=True)
    cost_en = models.CharField(_("cost (English)"), max_length=200, blank=True)
    term_uk = models.CharField(_("term (Ukrainian)"), max_length=200, blank=True)
    term_en = models.CharField(_("term (English)"), max_length=200, blank=True)
    online_url = models.URLField(pgettext_lazy("e-service", "online"), blank=True)
    diia_url = models.URLField(_("on Diia"), blank=True)

    class Meta:
        ordering = ["title_uk"]

    def __str__(self) -> str:
        return self.title_uk


class CorrectionStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("correction", "open")
    FIXED = "fixed", _("fixed")
    DECLINED = "declined", _("declined")


class Correction(models.Model):
    """"This information is wrong": for the entry's maintaining department. Who sent it is
    kept only as a user id (never shown in public outputs)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="corrections")
    department = models.CharField(max_length=64, db_index=True)
    text = models.TextField(_("what is wrong"))
    status = models.CharField(max_length=8, choices=CorrectionStatus.choices,
                              default=CorrectionStatus.OPEN)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.status}"
