"""The core's tables: the transactional outbox, its per-handler deliveries, schedules."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxEvent(models.Model):
    """A domain event, written in the same transaction as the change it describes."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("event"), max_length=120, db_index=True)
    payload = models.JSONField(_("payload"))
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now)
    # Set once a broker transport has accepted the event (unused by the database transport).
    relayed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("domain event")
        verbose_name_plural = _("domain events")
        indexes = [
            models.Index(
                fields=["id"], name="outbox_unrelayed",
                condition=models.Q(relayed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} #{self.pk}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    DELIVERED = "delivered", _("delivered")
    DEAD = "dead", _("dead letter")


class EventDelivery(models.Model):
    """One event for one handler. Created with the event, so no handler can be forgotten.

    The handler's own writes and the switch to ``delivered`` commit in one transaction:
    a crash at any point leaves the row pending, and it is delivered again, once.
    """

    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="deliveries")
    handler = models.CharField(_("handler"), max_length=200)
    status = models.CharField(
        _("status"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("event delivery")
        verbose_name_plural = _("event deliveries")
        constraints = [
            models.UniqueConstraint(fields=["event", "handler"], name="delivery_once_per_handler"),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"], name="delivery_due",
                condition=models.Q(status="pending"),
            ),
            models.Index(fields=["status", "handler"], name="delivery_status_handler"),
        ]

    def __str__(self) -> str:
        return f"{self.handler} <- {self.event_id} ({self.status})"


class ScheduledRun(models.Model):
    """A periodic job's run for one time slot; the unique key lets one process claim it."""

    job = models.CharField(max_length=200)
    slot = models.DateTimeField()
    enqueued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="one_run_per_slot")]

    def __str__(self) -> str:
        return f"{self.job} @ {self.slot:%Y-%m-%d %H:%M}"


class Role(models.TextChoices):
    """Staff roles; every signed-in person is also a resident of their own data."""

    CLERK = "clerk", _("clerk")
    OPERATOR = "operator", _("contact-centre operator")
    DISPATCHER = "dispatcher", _("dispatcher")
    MODERATOR = "moderator", _("moderator")
    IT_ADMIN = "it_admin", _("IT administrator")
    AUDITOR = "auditor", _("auditor")


class StaffAssignment(models.Model):
    """A role held by a user within a scope: a department and a district ("" means all).

    Read by :func:`misto.core.permissions.can`; a user may hold several assignments.
    """

    user = models.ForeignKey(
        "auth.User", on_delete=models.CASCADE, related_name="staff_assignments",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    department = models.CharField(
        _("department code"), max_length=64, blank=True,
        help_text=_("Empty: every department."),
    )
    district = models.CharField(
        _("district code"), max_length=64, blank=True,
        help_text=_("A twin district code (KATOTTG); empty: every district."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("staff assignment")
        verbose_name_plural = _("staff assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "department", "district"], name="one_assignment_per_scope",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.role} [{self.department or '*'} / {self.district or '*'}]"


class CalendarDay(models.Model):
    """The city's own entry in the working-day calendar (``misto.core.workdays``): an extra
    day off with its reason (a day of mourning, a local holiday), or a weekend day declared
    working. Public holidays come from the law, not from here."""

    day = models.DateField(_("day"), unique=True)
    working = models.BooleanField(
        _("working day"), default=False,
        help_text=_("On: a weekend day declared working. Off: an extra day off."))
    reason = models.CharField(_("reason"), max_length=200)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["day"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.day}: {self.reason}"
