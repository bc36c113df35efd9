"""Polls and hearings.

A poll's vote is two tables that nothing joins (docs/consultations.md, "threat model"):

- ``Participant``: who received the poll's token (one per register person, by a unique
  constraint: the database, not the page, stops a second vote). No time, no token, no ballot.
- ``PollBallot``: a token chosen by the voter's client, its blind signature's key group and
  the options chosen. No person, no user, no time; the ledger holds every ballot.

Primary keys of both are random UUIDs, so neither's id order tells the other's.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from misto.core.crypto import EncryptedTextField


class State(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("poll or consultation", "draft")
    OPEN = "open", pgettext_lazy("poll or consultation", "open")
    CLOSED = "closed", pgettext_lazy("poll or consultation", "closed")
    REPORTED = "reported", pgettext_lazy("poll or consultation", "report published")


class Choice(models.TextChoices):
    SINGLE = "single", _("one answer")
    MULTIPLE = "multiple", _("several answers")


class Effect(models.TextChoices):
    ADVISORY = "advisory", _("advisory")
    BINDING = "binding", _("binding")


class Scoped(models.Model):
    """What polls and hearings share: two-language texts, the organiser, the districts
    concerned and who may take part (eligibility as data, ``misto.residents.civic.Rule``)."""

    title_uk = models.CharField(_("title (Ukrainian)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    summary_uk = models.TextField(_("summary (Ukrainian)"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    state = models.CharField(_("state"), max_length=12, choices=State.choices,
                             default=State.DRAFT, db_index=True)
    department = models.CharField(_("organising department"), max_length=64, blank=True)
    organiser = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    # KATOTTG codes of the districts concerned; [] for the whole hromada.
    districts = models.JSONField(_("districts"), default=list, blank=True)
    district_only = models.BooleanField(
        _("only residents of these districts may take part"), default=False)
    min_age = models.PositiveSmallIntegerField(_("minimum age"), default=14)
    register_verified_only = models.BooleanField(
        _("only register entries verified by a provider or a clerk"), default=True)
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        abstract = True

    @property
    def scope_department(self) -> str | None:
        return self.department or None

    @property
    def scope_district(self) -> str | None:
        return None

    @property
    def scope_owner_id(self) -> int | None:
        return None

    @property
    def is_public(self) -> bool:
        return self.state != State.DRAFT


class Hearing(Scoped):
    """A public consultation: documents, a comment period, moderation, then a report."""

    report_uk = models.TextField(_("report (Ukrainian)"), blank=True)
    report_en = models.TextField(_("report (English)"), blank=True)
    reported_at = models.DateTimeField(_("report published at"), null=True, blank=True)

    class Meta:
        ordering = ["-closes_at", "-pk"]
        verbose_name = _("public consultation")
        verbose_name_plural = _("public consultations")

    def __str__(self) -> str:
        return self.title_uk


class Poll(Scoped):
    """One question put to the residents, answered by secret ballot."""

    hearing = models.ForeignKey(Hearing, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="polls", verbose_name=_("public consultation"))
    choice = models.CharField(_("answers"), max_length=10, choices=Choice.choices,
                              default=Choice.SINGLE)
    max_choices = models.PositiveSmallIntegerField(_("answers at most"), default=1)
    free_text = models.BooleanField(_("a free-text answer is allowed"), default=False)
    effect = models.CharField(_("effect"), max_length=10, choices=Effect.choices,
                              default=Effect.ADVISORY)
    live_results = models.BooleanField(_("results shown while the poll is open"),
                                       default=False)
    # One signing key per district (the ballot proves its district and the breakdown is
    # recountable) or one for the whole poll (the ballot says nothing of where it came from).
    by_district = models.BooleanField(_("results by district"), default=False)
    ballots_count = models.PositiveIntegerField(_("ballots"), default=0)

    class Meta:
        ordering = ["-closes_at", "-pk"]
        verbose_name = _("poll")
        verbose_name_plural = _("polls")

    def __str__(self) -> str:
        return self.title_uk


class Option(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    position = models.PositiveSmallIntegerField(_("position"))
    text_uk = models.CharField(_("answer (Ukrainian)"), max_length=200)
    text_en = models.CharField(_("answer (English)"), max_length=200, blank=True)
    # Kept with each ballot in the casting transaction; recounted from the ledger.
    votes = models.PositiveIntegerField(_("votes"), default=0)

    class Meta:
        ordering = ["poll", "position"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [models.UniqueConstraint(fields=["poll", "position"],
                                               name="consultations_one_option_per_position")]

    def __str__(self) -> str:
        return f"{self.poll_id}.{self.position}"


class PollKey(models.Model):
    """A poll's blind-signing key for one group: a district, or "" for the whole poll."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="keys")
    group = models.CharField(_("district code"), max_length=64, blank=True)
    public_key = models.TextField(_("public key (PEM)"))
    private_key = EncryptedTextField(_("private key"))

    class Meta:
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")
        constraints = [models.UniqueConstraint(fields=["poll", "group"],
                                               name="consultations_one_key_per_group")]

    def __str__(self) -> str:
        return f"{self.poll_id} {self.group or '*'}"


class Participant(models.Model):
    """A register person who received the poll's token (no time, no ballot)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="+")
    person_id = models.BigIntegerField(_("register person"))

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [models.UniqueConstraint(fields=["poll", "person_id"],
                                               name="consultations_one_token_per_person")]

    def __str__(self) -> str:
        return str(self.id)


class PollBallot(models.Model):
    """One secret ballot: a blind-signed token and the answers chosen (no person).
    The free text stays here (for the organiser's report); the ledger keeps its hash."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="ballots")
    group = models.CharField(_("district code"), max_length=64, blank=True)
    token = models.CharField(_("token"), max_length=64, unique=True)
    receipt = models.CharField(_("receipt"), max_length=20, unique=True)
    choices = models.JSONField(_("answers chosen"), default=list)
    text = models.TextField(_("free-text answer"), blank=True)
    ledger_index = models.BigIntegerField(_("ledger entry"))

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")

    def __str__(self) -> str:
        return self.receipt


class Document(models.Model):
    hearing = models.ForeignKey(Hearing, on_delete=models.CASCADE, related_name="documents")
    title_uk = models.CharField(_("title (Ukrainian)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    body_uk = models.TextField(_("text (Ukrainian)"), blank=True)
    body_en = models.TextField(_("text (English)"), blank=True)
    url = models.URLField(_("link to the full document"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["hearing", "position", "pk"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.title_uk


class Rule(models.TextChoices):
    """The house rules a moderator cites when hiding a comment."""

    OFFENSIVE = "offensive", _("insults, threats or hate speech")
    PERSONAL = "personal", _("someone's personal data")
    OFF_TOPIC = "off_topic", _("not about the consultation's topic")
    SPAM = "spam", _("advertising or repeated messages")


class Comment(models.Model):
    """A verified resident's comment (or reply); hidden with a cited rule, never deleted."""

    hearing = models.ForeignKey(Hearing, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    # Shown instead of a name: "a resident of <district>".
    district = models.CharField(_("district code"), max_length=64, blank=True)
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("written at"), default=timezone.now)
    hidden_rule = models.CharField(_("rule broken"), max_length=16, choices=Rule.choices,
                                   blank=True)
    hidden_reason = models.TextField(_("moderator's reason"), blank=True)
    hidden_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return f"{self.hearing_id}/{self.pk}"

    @property
    def hidden(self) -> bool:
        return bool(self.hidden_rule)
