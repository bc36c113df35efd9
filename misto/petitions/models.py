"""Petitions, their signatures and the city's rules.

A petition copies the rules in force when it opens (threshold, period, who may sign, days to
answer), so a later change of the city's regulation never moves a running petition's goal.
A signature belongs to a register person (one per petition, by a unique constraint), is
withdrawn or annulled by marking it (never deleted), and carries the per-petition pseudonym
under which the ledger knows it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from misto.residents.civic import NameStyle


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")
    MODERATION = "moderation", _("under moderation")
    REJECTED = "rejected", _("rejected")
    COLLECTING = "collecting", _("collecting signatures")
    UNSUCCESSFUL = "unsuccessful", _("not enough signatures")
    CONSIDERATION = "consideration", _("under consideration")
    ANSWERED = "answered", _("answered")
    ARCHIVED = "archived", _("archived")


#: Statuses the public sees (a draft, one under moderation and a rejected one are the
#: author's and the moderators' only; a rejection is told to the author with its rule).
PUBLIC = (Status.COLLECTING, Status.UNSUCCESSFUL, Status.CONSIDERATION, Status.ANSWERED,
          Status.ARCHIVED)


class Topic(models.TextChoices):
    TRANSPORT = "transport", _("transport and roads")
    HOUSING = "housing", _("housing and utilities")
    ENVIRONMENT = "environment", _("environment and green spaces")
    EDUCATION = "education", _("education")
    HEALTH = "health", _("health care")
    SAFETY = "safety", _("safety and civil protection")
    CULTURE = "culture", _("culture, sport and youth")
    SOCIAL = "social", _("social protection")
    GOVERNANCE = "governance", _("city governance")
    OTHER = "other", _("other")


class Level(models.TextChoices):
    BASIC = "basic", _("signed in with a code")
    VERIFIED = "verified", _("signed in through an identity provider")


class Rules(models.Model):
    """The city's petition regulation as data (one row; the admin edits it)."""

    threshold = models.PositiveIntegerField(_("signatures needed"), default=100)
    collection_days = models.PositiveIntegerField(_("collection period, days"), default=60)
    min_age = models.PositiveSmallIntegerField(_("minimum age to sign"), default=16)
    sign_level = models.CharField(_("sign-in level needed to sign"), max_length=16,
                                  choices=Level.choices, default=Level.VERIFIED)
    register_verified_only = models.BooleanField(
        _("only register entries verified by a provider or a clerk may sign"), default=True)
    answer_working_days = models.PositiveSmallIntegerField(
        _("working days to answer a successful petition"), default=10)
    signer_names = models.CharField(_("signers' names on the public list"), max_length=16,
                                    choices=[(NameStyle.INITIALS, _("surname and initials")),
                                             (NameStyle.FULL, _("full name"))],
                                    default=NameStyle.INITIALS)
    archive_after_days = models.PositiveSmallIntegerField(
        _("days after the answer (or the end of collection) before archiving"), default=180)
    answering_department = models.CharField(
        _("department that answers petitions"), max_length=64, default="council",
        help_text=_("The department code whose clerks publish official answers."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("petition rules")
        verbose_name_plural = _("petition rules")

    def __str__(self) -> str:
        return str(_("Petition rules"))


class ModerationRule(models.Model):
    """A published rule a draft is checked against; a rejection cites one."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    title_uk = models.CharField(_("title (Ukrainian)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    text_uk = models.TextField(_("text (Ukrainian)"))
    text_en = models.TextField(_("text (English)"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("in force"), default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("moderation rule")
        verbose_name_plural = _("moderation rules")

    def __str__(self) -> str:
        return f"{self.code}. {self.title_uk}"

    @property
    def title(self) -> str:
        """The title in the reader's language (pages show it; ``__str__`` stays Ukrainian
        for the admin and the ledger)."""
        return self.title_en if (get_language() or "uk").startswith("en") else self.title_uk


class Petition(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True, null=True, blank=True)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    topic = models.CharField(_("topic"), max_length=16, choices=Topic.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="petitions", verbose_name=_("author"))
    # Where it is about (optional): a landmark or address of the twin, or a point; the
    # district comes from the twin.
    place = models.PointField(_("place"), srid=4326, null=True, blank=True)
    place_label = models.CharField(_("place"), max_length=200, blank=True)
    district = models.CharField(_("district code"), max_length=64, blank=True, db_index=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.DRAFT, db_index=True)
    department = models.CharField(_("answering department"), max_length=64, blank=True)
    # The rules in force when it opened (see the module docstring).
    threshold = models.PositiveIntegerField(_("signatures needed"), null=True, blank=True)
    min_age = models.PositiveSmallIntegerField(null=True, blank=True)
    sign_level = models.CharField(max_length=16, blank=True)
    register_verified_only = models.BooleanField(default=True)
    answer_working_days = models.PositiveSmallIntegerField(null=True, blank=True)
    signer_names = models.CharField(max_length=16, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    collection_ends = models.DateField(_("collection ends"), null=True, blank=True)
    threshold_reached_on = models.DateField(_("threshold reached on"), null=True, blank=True)
    answer_due = models.DateField(_("answer due"), null=True, blank=True)
    overdue_since = models.DateField(_("overdue since"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answer_text = models.TextField(_("official answer"), blank=True)
    answer_document = models.FileField(_("answer document"), upload_to="petitions/answers/",
                                       blank=True)
    rejected_rule = models.ForeignKey(ModerationRule, null=True, blank=True,
                                      on_delete=models.PROTECT, verbose_name=_("rule cited"))
    moderation_note = models.TextField(_("moderator's note"), blank=True)
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    # Active signatures (kept with each signature in the same transaction; recounted from
    # the signature rows and from the ledger by ``misto petitions recount``).
    signature_count = models.PositiveIntegerField(_("signatures"), default=0)

    class Meta:
        ordering = ["-opened_at", "-created_at"]
        verbose_name = _("petition")
        verbose_name_plural = _("petitions")
        indexes = [models.Index(fields=["status", "-opened_at"])]

    def __str__(self) -> str:
        return self.number or f"draft {self.pk}"

    # The scope protocol of misto.core.permissions.can.
    @property
    def scope_department(self) -> str | None:
        return self.department or None

    @property
    def scope_district(self) -> str | None:
        return None  # petitions are the whole community's, whatever place they name

    @property
    def scope_owner_id(self) -> int | None:
        return self.author_id

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC

    def progress(self) -> int:
        """Per cent of the threshold, capped at 100 (for the progress bar)."""
        if not self.threshold:
            return 0
        return min(100, self.signature_count * 100 // self.threshold)


class Annulment(models.Model):
    """Signatures annulled by one decision (a court's, a proven forgery), with its reason."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="annulments")
    reason = models.TextField(pgettext_lazy("annulment", "reason"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("decided at"), default=timezone.now)
    count = models.PositiveIntegerField(_("signatures annulled"), default=0)

    class Meta:
        verbose_name = _("annulment")
        verbose_name_plural = _("annulments")


class Signature(models.Model):
    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="signatures")
    person_id = models.BigIntegerField(_("register person"), db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                             related_name="petition_signatures")
    # The per-petition pseudonym the ledger knows the signer by (a keyed hash, see
    # services.signing.pseudonym): equal for the same person on one petition, unlinkable
    # across petitions without the city's key.
    signer = models.CharField(max_length=64)
    signed_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    annulment = models.ForeignKey(Annulment, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="signatures")
    ledger_index = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["petition", "person_id"],
                                    name="one_signature_per_person"),
        ]
        indexes = [models.Index(fields=["petition", "signed_at"])]

    @staticmethod
    def active_q() -> Q:
        return Q(withdrawn_at__isnull=True, annulment__isnull=True)

    def is_active(self) -> bool:
        return self.withdrawn_at is None and self.annulment_id is None


def active_signatures(petition: Petition) -> Any:
    return petition.signatures.filter(Signature.active_q())
