"""Staff work on reports: who handles which (department and district scopes), the queue,
status changes, assignment, duplicates, moderation, escalation of overdue reports and
resolution from a situational-centre incident. Each change writes its history line and, when
the status moves, publishes ``ReportStatusChanged`` in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import IO, Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from misto.core.bus import publish
from misto.core.permissions import can, scope_filter
from misto.reports.errors import ReportError, ReportsCode
from misto.reports.events import ReportOverdue, ReportStatusChanged
from misto.reports.models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    Change,
    Department,
    Follower,
    Photo,
    Report,
    Status,
)
from misto.reports.photos import clean_photo
from misto.reports.services.reading import get_report, report_url
from misto.reports.services.submission import _save_photo

# Which status may follow which. Duplicates are linked with :func:`mark_duplicate`.
TRANSITIONS: dict[str, set[str]] = {
    Status.NEW: {Status.ACCEPTED, Status.IN_PROGRESS, Status.RESOLVED, Status.REJECTED},
    Status.ACCEPTED: {Status.IN_PROGRESS, Status.RESOLVED, Status.REJECTED},
    Status.IN_PROGRESS: {Status.ACCEPTED, Status.RESOLVED, Status.REJECTED},
    Status.RESOLVED: {Status.IN_PROGRESS},
    Status.REJECTED: {Status.ACCEPTED},
    Status.DUPLICATE: {Status.ACCEPTED},
}
NOTE_REQUIRED: dict[str, Any] = {
    Status.REJECTED: gettext_lazy("Give the reason for rejecting the report."),
    Status.RESOLVED: gettext_lazy("Say what was done."),
}


def can_handle(user: Any, report: Report | None = None) -> bool:
    """Clerks (scoped to a department code and/or a district) handle their reports,
    dispatchers every one (see misto/reports/permissions.py)."""
    return can(user, "reports.report.change", report)


def can_take_calls(user: Any) -> bool:
    return can(user, "reports.report.create")


def can_moderate(user: Any) -> bool:
    return can(user, "reports.report.moderate")


def handling_scope(user: Any) -> Q | None:
    """The reports ``user`` may handle as a filter; ``None`` means every report."""
    pairs = scope_filter(user, "reports.report.change")
    if pairs is None:
        return None
    scope = Q(pk__in=[])
    for department, district in pairs:
        part = Q()
        if department:
            part &= Q(department__code=department)
        if district:
            part &= Q(district=district)
        scope |= part
    return scope


def handling_departments(user: Any) -> list[Department]:
    """The departments whose reports ``user`` handles; empty for every department."""
    pairs = scope_filter(user, "reports.report.change")
    codes = {department for department, _district in pairs or ()}
    if pairs is None or "" in codes:
        return []
    return list(Department.objects.filter(code__in=codes))


def queue_for(user: Any, status: str = "open") -> QuerySet[Report]:
    """The reports a clerk works on: their scope's (every one for dispatchers), overdue
    first, then oldest."""
    rows = Report.objects.select_related("category", "department", "assignee")
    scope = handling_scope(user)
    if scope is not None:
        rows = rows.filter(scope)
    if status == "open":
        rows = rows.filter(status__in=OPEN_STATUSES)
    elif status:
        rows = rows.filter(status=status)
    return rows.order_by("due_at", "created_at")


def _require_handler(user: Any, report: Report) -> None:
    if not can_handle(user, report):
        raise ReportError(ReportsCode.FORBIDDEN, _(
            "Only the clerks of %(department)s handle this report."
        ) % {"department": report.department or _("its department")}, status=403)


def _status_event(report: Report, previous: str, note: str, now: datetime) -> None:
    followers = sorted(set(report.followers.values_list("user_id", flat=True))
                       - {report.author_id})
    publish(ReportStatusChanged(
        report_id=report.pk, public_id=report.public_id or "", category=report.category.code,
        category_title=report.category.title,
        department=report.department.code if report.department else None,
        district=report.district or None, lon=report.location.x, lat=report.location.y,
        status=report.status, previous_status=previous, note=note,
        author_user_id=report.author_id, follower_user_ids=followers,
        changed_at=now.isoformat(), url=report_url(report),
    ))


def change_status(report_id: int, user: Any, status: str, note: str = "",
                  photo: IO[bytes] | None = None) -> Report:
    """Move a report to ``status`` (a clerk's action), with a note and, when resolving,
    a photo of the fix. Publishes ``reports.ReportStatusChanged``."""
    note = (note or "").strip()
    if status not in Status.values or status == Status.DUPLICATE:
        raise ReportError(ReportsCode.BAD_TRANSITION, _("“%(status)s” is not a status a clerk can "
                                                   "set here.") % {"status": str(status)[:30]})
    if status in NOTE_REQUIRED and not note:
        raise ReportError(ReportsCode.NOTE_REQUIRED, str(NOTE_REQUIRED[status]), field="note")
    clean = clean_photo(photo, getattr(photo, "name", "")) if photo is not None else None
    with transaction.atomic():
        report = (Report.objects.select_for_update(of=("self",))
                  .select_related("category", "department")
                  .filter(pk=report_id).first())
        if report is None:
            raise ReportError(ReportsCode.NOT_FOUND, _("There is no such report."), status=404)
        _require_handler(user, report)
        previous = report.status
        if status not in TRANSITIONS.get(previous, set()):
            raise ReportError(ReportsCode.BAD_TRANSITION, _(
                "A report that is “%(old)s” cannot become “%(new)s”."
            ) % {"old": Status(previous).label, "new": Status(status).label})
        now = timezone.now()
        report.status = status
        report.status_note = note
        report.updated_at = now
        report.closed_at = now if status in CLOSED_STATUSES else None
        report.save(update_fields=["status", "status_note", "updated_at", "closed_at"])
        if clean is not None:
            _save_photo(report, clean, Photo.Kind.RESOLUTION)
        Change.objects.create(report=report, kind=Change.Kind.STATUS, status=status,
                              previous_status=previous, note=note, actor=user, at=now)
        _status_event(report, previous, note, now)
    return report


def assign(report_id: int, user: Any, assignee: Any | None) -> Report:
    with transaction.atomic():
        report = Report.objects.select_for_update(of=("self",)).select_related("department").get(
            pk=report_id)
        _require_handler(user, report)
        if assignee is not None and not can_handle(assignee, report):
            raise ReportError(ReportsCode.FORBIDDEN, _(
                "%(name)s is not a clerk of %(department)s."
            ) % {"name": assignee.get_username(), "department": report.department}, status=400)
        report.assignee = assignee
        report.updated_at = timezone.now()
        report.save(update_fields=["assignee", "updated_at"])
        Change.objects.create(report=report, kind=Change.Kind.ASSIGNED, public=False,
                              note=assignee.get_username() if assignee else "", actor=user)
    return report


def mark_duplicate(report_id: int, user: Any, original_public_id: str) -> Report:
    """Close a report as a duplicate of another; its author follows the original."""
    original = get_report(original_public_id)
    with transaction.atomic():
        report = (Report.objects.select_for_update(of=("self",))
                  .select_related("category", "department")
                  .get(pk=report_id))
        _require_handler(user, report)
        if original.pk == report.pk or original.duplicate_of_id == report.pk:
            raise ReportError(ReportsCode.BAD_TRANSITION, _(
                "A report cannot be a duplicate of itself."))
        if report.status in CLOSED_STATUSES:
            raise ReportError(ReportsCode.BAD_TRANSITION, _("The report is already closed."))
        previous, now = report.status, timezone.now()
        report.status, report.duplicate_of = Status.DUPLICATE, original
        report.status_note = _("Duplicate of %(id)s") % {"id": original.public_id}
        report.updated_at = report.closed_at = now
        report.save(update_fields=["status", "duplicate_of", "status_note", "updated_at",
                                   "closed_at"])
        if report.author_id:
            Follower.objects.get_or_create(report=original, user_id=report.author_id)
        Change.objects.create(report=report, kind=Change.Kind.DUPLICATE,
                              status=Status.DUPLICATE, previous_status=previous,
                              note=report.status_note, actor=user, at=now)
        _status_event(report, previous, report.status_note, now)
    return report


def moderate(report_id: int, user: Any, *, public_description: str | None = None,
             hidden: bool | None = None, hide_photo_ids: Iterable[int] = ()) -> Report:
    """Hide personal data or abuse from the public; the original text stays for staff."""
    if not can_moderate(user):
        raise ReportError(ReportsCode.FORBIDDEN, _("Only moderators can do this."), status=403)
    with transaction.atomic():
        report = Report.objects.select_for_update(of=("self",)).get(pk=report_id)
        notes = []
        if public_description is not None and public_description != report.public_description:
            report.public_description = public_description.strip()
            notes.append(_("public text edited"))
        if hidden is not None and hidden != report.hidden:
            report.hidden = hidden
            notes.append(_("hidden") if hidden else _("shown again"))
        photo_count = Photo.objects.filter(report=report, pk__in=list(hide_photo_ids)).update(
            hidden=True)
        if photo_count:
            notes.append(_("%(n)d photo(s) hidden") % {"n": photo_count})
        report.save(update_fields=["public_description", "hidden"])
        if notes:
            Change.objects.create(report=report, kind=Change.Kind.MODERATED, public=False,
                                  note=", ".join(str(n) for n in notes), actor=user)
    return report


def escalate_overdue(now: datetime | None = None) -> int:
    """Mark open reports past their target time as escalated (once) and publish
    ``reports.ReportOverdue``; returns how many were escalated."""
    now = now or timezone.now()
    ids = list(Report.objects.filter(status__in=OPEN_STATUSES, due_at__lt=now,
                                     escalated_at__isnull=True)
               .values_list("pk", flat=True)[:1000])
    count = 0
    for report_id in ids:
        with transaction.atomic():
            report = (Report.objects.select_for_update(of=("self",)).select_related("category",
                                                                          "department")
                      .filter(pk=report_id, escalated_at__isnull=True).first())
            if report is None:
                continue
            report.escalated_at = now
            report.save(update_fields=["escalated_at"])
            Change.objects.create(report=report, kind=Change.Kind.ESCALATED, public=False,
                                  note=_("Target time passed: %(due)s")
                                  % {"due": report.due_at.isoformat() if report.due_at
                                     else ""}, at=now)
            publish(ReportOverdue(
                report_id=report.pk, public_id=report.public_id or "",
                category=report.category.code,
                department=report.department.code if report.department else None,
                district=report.district or None, status=report.status,
                due_at=report.due_at.isoformat() if report.due_at else "",
                url=report_url(report)))
            count += 1
    return count


def resolve_from_incident(ids: Iterable[Any], note: str) -> int:
    """Resolve the open reports a resolved situational-centre incident came from."""
    count = 0
    for ref in ids:
        query = Q(public_id=str(ref))
        if str(ref).isdigit():
            query |= Q(pk=int(ref))
        report = Report.objects.select_for_update(of=("self",)).select_related(
            "category", "department").filter(query, status__in=OPEN_STATUSES).first()
        if report is None:
            continue
        previous, now = report.status, timezone.now()
        text = note or _("Resolved together with the incident.")
        report.status, report.status_note = Status.RESOLVED, text
        report.updated_at = report.closed_at = now
        report.save(update_fields=["status", "status_note", "updated_at", "closed_at"])
        Change.objects.create(report=report, kind=Change.Kind.STATUS, status=Status.RESOLVED,
                              previous_status=previous, note=text, at=now)
        _status_event(report, previous, text, now)
        count += 1
    return count
