"""Participatory budget: rounds with the city's rules as data, projects on the twin, and
secret ballots.

Two tables hold the vote and nothing joins them (docs/budget.md, "threat model"):

- ``Voter``: who received a voting token in a round (one per register person, by a unique
  constraint: the database, not the page, stops a second vote). No time, no token, no ballot.
- ``Ballot``: a token (random, chosen by the voter's client), the district key's blind
  signature on it, and the projects chosen. No person, no user, no time; the ledger holds
  every ballot, so anyone recounts with the published keys.

Primary keys of both are random UUIDs, so neither's id order tells the other's.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.gis.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from misto.core.config import env_str
from misto.core.crypto import EncryptedTextField


def review_department() -> str:
    """The department whose clerks review projects (the budget commission's secretariat)."""
    return env_str("MISTO_BUDGET_DEPARTMENT", "economy")


class Phase(models.TextChoices):
    PROPOSALS = "proposals", _("proposals")
    REVIEW = "review", _("review")
    VOTING = "voting", _("voting")
    RESULTS = "results", _("results")
    IMPLEMENTATION = "implementation", _("implementation")


PHASES = [phase.value for phase in Phase]


class Method(models.TextChoices):
    APPROVAL = "approval", _("approval: up to a number of projects")
    KNAPSACK = "knapsack", _("basket: projects within the amount")


class Round(models.Model):
    """One round of the public budget; its rules are copied here when it is created."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    title_uk = models.CharField(_("title (Ukrainian)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    phase = models.CharField(_("phase"), max_length=16, choices=Phase.choices,
                             default=Phase.PROPOSALS)
    proposals_until = models.DateField(_("proposals until"), null=True, blank=True)
    voting_from = models.DateField(_("voting from"), null=True, blank=True)
    voting_until = models.DateField(_("voting until"), null=True, blank=True)
    city_amount = models.PositiveBigIntegerField(_("city-wide amount, UAH"), default=0)
    project_min = models.PositiveBigIntegerField(_("smallest project, UAH"), default=50_000)
    project_max = models.PositiveBigIntegerField(_("largest project, UAH"), default=3_000_000)
    method = models.CharField(_("voting method"), max_length=16, choices=Method.choices,
                              default=Method.APPROVAL)
    max_choices = models.PositiveSmallIntegerField(_("projects per voter"), default=5)
    min_age = models.PositiveSmallIntegerField(_("minimum age to vote"), default=16)
    register_verified_only = models.BooleanField(
        _("only register entries verified by a provider or a clerk may vote"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    ballots_count = models.PositiveIntegerField(_("ballots"), default=0)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("budget round")
        verbose_name_plural = _("budget rounds")

    def __str__(self) -> str:
        return self.number

    @property
    def scope_department(self) -> str | None:
        return None

    @property
    def scope_district(self) -> str | None:
        return None

    @property
    def scope_owner_id(self) -> int | None:
        return None


class DistrictBudget(models.Model):
    """A district's amount in a round and its blind-signing key (a token signed by it
    proves "an eligible voter of this district" and nothing more)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="districts")
    district = models.CharField(_("district code"), max_length=64)
    amount = models.PositiveBigIntegerField(_("amount, UAH"))
    public_key = models.TextField(_("public key (PEM)"))
    private_key = EncryptedTextField(_("private key"))

    class Meta:
        verbose_name = _("district budget")
        verbose_name_plural = _("district budgets")
        constraints = [models.UniqueConstraint(fields=["round", "district"],
                                               name="budget_one_amount_per_district")]

    def __str__(self) -> str:
        return f"{self.round.number} {self.district}"


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("under review")
    APPROVED = "approved", _("on the ballot")
    REJECTED = "rejected", _("rejected")
    WINNER = "winner", _("winner")
    NOT_SELECTED = "not_selected", _("not selected")
    DONE = "done", _("implemented")


#: Statuses that may be voted for or won.
ON_BALLOT = (Status.APPROVED, Status.WINNER, Status.NOT_SELECTED, Status.DONE)


class Project(models.Model):
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="projects")
    number = models.CharField(_("number"), max_length=24, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="budget_projects", verbose_name=_("author"))
    # A point or a drawn area on the twin; the district comes from the twin ("" when the
    # area spans districts: a city-wide project).
    place = models.GeometryField(_("place"), srid=4326)
    district = models.CharField(_("district code"), max_length=64, blank=True, db_index=True)
    cost = models.PositiveBigIntegerField(_("cost, UAH"))
    proposed_cost = models.PositiveBigIntegerField(_("cost proposed by the author, UAH"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.SUBMITTED, db_index=True)
    review_reason = models.TextField(_("review conclusion"), blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    author_answer = models.TextField(_("the author's answer to the review"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # Kept with each ballot in the casting transaction; recounted from the ledger.
    votes = models.PositiveIntegerField(_("votes"), default=0)
    spent = models.PositiveBigIntegerField(_("spent, UAH"), default=0)

    class Meta:
        ordering = ["number"]
        verbose_name = _("budget project")
        verbose_name_plural = _("budget projects")

    def __str__(self) -> str:
        return self.number

    @property
    def scope_department(self) -> str | None:
        return review_department()

    @property
    def scope_district(self) -> str | None:
        return self.district or None

    @property
    def scope_owner_id(self) -> int | None:
        return self.author_id

    @property
    def is_public(self) -> bool:
        return True  # rejected projects stay public with the reason


class CostLine(models.Model):
    """One line of a project's cost estimate as the author filed it (what, how much); the
    lines add up to the proposed cost."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="cost_lines")
    position = models.PositiveSmallIntegerField(_("position"))
    item = models.CharField(_("item"), max_length=200)
    amount = models.PositiveBigIntegerField(_("amount, UAH"))

    class Meta:
        ordering = ["project", "position"]
        verbose_name = _("cost estimate line")
        verbose_name_plural = _("cost estimate lines")

    def __str__(self) -> str:
        return f"{self.project_id}.{self.position}"


class Stage(models.TextChoices):
    PLANNED = "planned", _("planned")
    PROCUREMENT = "procurement", _("procurement")
    WORKS = "works", _("works under way")
    DONE = "done", _("done")


class Progress(models.Model):
    """A winner's implementation step: its stage, the money spent so far, what was done."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="progress")
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    spent = models.PositiveBigIntegerField(_("spent so far, UAH"))
    note = models.TextField(_("what was done"))
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("implementation step")
        verbose_name_plural = _("implementation steps")


class Photo(models.Model):
    """A photo of a proposal (by its author) or of an implementation step, re-encoded by the
    core's photo pipeline (metadata and GPS removed)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="photos")
    step = models.ForeignKey(Progress, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="photos")
    image = models.FileField(_("photo"), upload_to="budget/photos/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def get_absolute_url(self) -> str:
        return reverse("budget:photo", args=[self.pk])


class Voter(models.Model):
    """A register person who received the round's voting token (no time, no ballot)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+")
    person_id = models.BigIntegerField(_("register person"))

    class Meta:
        verbose_name = _("voter")
        verbose_name_plural = _("voters")
        constraints = [models.UniqueConstraint(fields=["round", "person_id"],
                                               name="budget_one_token_per_person")]


class Ballot(models.Model):
    """One secret ballot: a blind-signed token and the projects chosen (no person)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="ballots")
    district = models.CharField(_("district code"), max_length=64)
    token = models.CharField(_("token"), max_length=64, unique=True)
    receipt = models.CharField(_("receipt"), max_length=20, unique=True)
    choices = models.JSONField(_("projects chosen"), default=list)
    ledger_index = models.BigIntegerField(_("ledger entry"))

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
