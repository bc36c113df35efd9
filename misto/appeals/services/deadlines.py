"""The law's clock, on the city's calendar: a deadline is recomputed from its inputs, never
edited, so a day off the city adds later moves every running one."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from misto.appeals.events import AppealOverdue
from misto.appeals.models import OPEN, Appeal, Reception, ReceptionKind
from misto.core import bus, workdays


def deadline_of(appeal: Appeal) -> workdays.Deadline:
    return workdays.calendar_deadline(appeal.received_on, appeal.term_days)


def url_of(appeal: Appeal) -> str:
    return reverse("appeals:detail", args=[appeal.number])


def head_of(appeal: Appeal) -> int | None:
    """The user an overdue ``appeal`` is escalated to: its reception's head, otherwise the
    head of the handling department (named on that department's department-head
    reception); ``None`` when the city's directory names neither."""
    if appeal.reception.head_id is not None:
        return appeal.reception.head_id
    return (Reception.objects.filter(department=appeal.department,
                                     kind=ReceptionKind.DEPARTMENT_HEAD, head__isnull=False)
            .order_by("order", "pk").values_list("head_id", flat=True).first())


def mark_overdue(today: date | None = None) -> int:
    """Open appeals past ``due``: escalated once (``AppealOverdue``, to the executor and the
    head of the office, ``head_of``) and marked red."""
    today = today or timezone.localdate()
    marked = 0
    for appeal in Appeal.objects.filter(status__in=OPEN, due__lt=today,
                                        overdue_since__isnull=True).select_related("reception"):
        with transaction.atomic():
            appeal.overdue_since = today
            appeal.save(update_fields=["overdue_since"])
            bus.publish(AppealOverdue(
                appeal_id=appeal.pk, number=appeal.number, department=appeal.department,
                reception=appeal.reception.code, due=appeal.due.isoformat(),
                executor_user_id=appeal.executor_id, head_user_id=head_of(appeal),
                url=url_of(appeal)))
        marked += 1
    return marked


def recompute_deadlines() -> int:
    """After a calendar change: every open appeal's deadline from its inputs."""
    moved = 0
    today = timezone.localdate()
    for appeal in Appeal.objects.filter(status__in=OPEN):
        due = deadline_of(appeal).due
        if due != appeal.due:
            appeal.due = due
            if appeal.overdue_since and due >= today:
                appeal.overdue_since = None
            appeal.save(update_fields=["due", "overdue_since"])
            moved += 1
    return moved
