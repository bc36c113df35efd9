"""Receptions, appeals and the one thread of correspondence each appeal is.

A deadline is stored with its inputs (``received_on``, ``term_days``), so it is recomputed
when the city's calendar changes; ``due`` is the computed date, kept for queries.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from misto.core.crypto import EncryptedTextField

#: The law's terms (Art. 20): 15 days when no extra study is needed, otherwise one month
#: (30 days), extended with notice to 45 in total at most.
SHORT_TERM, TERM, MAX_TERM = 15, 30, 45


class ReceptionKind(models.TextChoices):
    MAYOR = "mayor", _("the mayor")
    DEPUTY_MAYOR = "deputy_mayor", _("a deputy mayor")
    SECRETARY = "secretary", _("the council secretary")
    DEPARTMENT_HEAD = "department_head", _("a department head")
    DEPARTMENT = "department", _("a department's staff")
    DEPUTY = "deputy", _("a local council deputy")


class Reception(models.Model):
    """An official's or an office's e-reception (the directory the city keeps)."""

    code = models.SlugField(_("code"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=ReceptionKind.choices)
    title_uk = models.CharField(_("title (Ukrainian)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    official_uk = models.CharField(_("official (Ukrainian)"), max_length=200, blank=True)
    official_en = models.CharField(_("official (English)"), max_length=200, blank=True)
    department = models.CharField(
        _("handling department"), max_length=64,
        help_text=_("The department code whose clerks handle this reception's appeals."))
    # Who answers for the office's deadlines: an appeal past its deadline is escalated to
    # this person (and, when a reception names nobody, to the head named on its
    # department's department-head reception).
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("head of the office"),
        help_text=_("Overdue appeals of this reception are escalated to this account."))
    active = models.BooleanField(_("open for appeals"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("reception")
        verbose_name_plural = _("receptions")

    def __str__(self) -> str:
        return self.title_uk

    @property
    def title(self) -> str:
        """The title in the reader's language (pages show it; ``__str__`` stays Ukrainian
        for the admin)."""
        return self.title_en if (get_language() or "uk").startswith("en") else self.title_uk


class Kind(models.TextChoices):
    PROPOSAL = "proposal", _("proposal")
    APPLICATION = "application", pgettext_lazy("kind of appeal", "application")
    COMPLAINT = "complaint", _("complaint")


class Channel(models.TextChoices):
    WEB = "web", _("e-reception")
    PHONE = "phone", _("contact centre")
    PAPER = "paper", _("paper mail")


class Status(models.TextChoices):
    REGISTERED = "registered", _("registered")
    IN_PROGRESS = "in_progress", _("being considered")
    INFO_REQUESTED = "info_requested", _("more information asked")
    ANSWERED = "answered", _("answered")


OPEN = (Status.REGISTERED, Status.IN_PROGRESS, Status.INFO_REQUESTED)


class Appeal(models.Model):
    number = models.CharField(_("registration number"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    channel = models.CharField(_("received by"), max_length=8, choices=Channel.choices,
                               default=Channel.WEB)
    reception = models.ForeignKey(Reception, on_delete=models.PROTECT, related_name="appeals",
                                  verbose_name=_("reception"))
    department = models.CharField(_("handling department"), max_length=64, db_index=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="appeals",
                               verbose_name=_("author"))
    # For a phone or paper appeal from someone without an account: how to answer them.
    contact = EncryptedTextField(_("name and postal address"), blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.REGISTERED, db_index=True)
    privileged = models.BooleanField(_("considered first (a privileged category)"),
                                     default=False)
    executor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="appeals_to_handle",
                                 verbose_name=_("executor"))
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")
    received_on = models.DateField(_("received on"), default=timezone.localdate)
    term_days = models.PositiveSmallIntegerField(_("term, days"), default=TERM)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    due = models.DateField(_("due"), db_index=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    overdue_since = models.DateField(_("overdue since"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-privileged", "due", "pk"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")

    def __str__(self) -> str:
        return self.number

    # The scope protocol of misto.core.permissions.can.
    @property
    def scope_department(self) -> str | None:
        return self.department

    @property
    def scope_district(self) -> str | None:
        return None

    @property
    def scope_owner_id(self) -> int | None:
        return self.author_id

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    def days_left(self, today: object = None) -> int:
        return (self.due - (today or timezone.localdate())).days  # type: ignore[operator]


class Direction(models.TextChoices):
    IN = "in", _("from the resident")
    OUT = "out", _("from the office")


class MessageKind(models.TextChoices):
    APPEAL = "appeal", _("the appeal")
    MESSAGE = "message", _("message")
    INFO_REQUEST = "info_request", _("request for information")
    EXTENSION = "extension", _("extension notice")
    ANSWER = "answer", _("answer")


class Message(models.Model):
    """One message of the appeal's thread; the first is the appeal's text."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    kind = models.CharField(max_length=16, choices=MessageKind.choices)
    text = models.TextField(_("text"))
    attachment = models.FileField(_("attachment"), upload_to="appeals/%Y/%m/", blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.appeal_id}/{self.pk} {self.kind}"
