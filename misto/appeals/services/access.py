"""Who sees which appeal: the author, and staff of the handling department; the same 404
for a missing and a hidden one."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from misto.appeals.errors import AppealError, AppealsCode
from misto.appeals.models import Appeal, Reception
from misto.core.permissions import can, scope_filter


def access_appeal(user: Any, number: str, action: str | None = None,
                  *, lock: bool = False) -> Appeal:
    """The appeal if ``user`` may read it (and do ``action``); otherwise "not found"."""
    rows = Appeal.objects.select_for_update() if lock else Appeal.objects
    appeal = rows.select_related("reception").filter(number=number).first()
    own = appeal is not None and getattr(user, "pk", None) and appeal.author_id == user.pk
    if appeal is None or not (own or can(user, "appeals.appeal.view", appeal)):
        raise AppealError(AppealsCode.NOT_FOUND, _("There is no such appeal."))
    if action is not None and not can(user, action, appeal):
        raise PermissionDenied(action)
    return appeal


def access_reception(code: str) -> Reception:
    reception = Reception.objects.filter(code=code, active=True).first()
    if reception is None:
        raise AppealError(AppealsCode.NOT_FOUND, _("There is no such reception."))
    return reception


def own_appeals(user: Any) -> QuerySet[Appeal]:
    return Appeal.objects.filter(author_id=getattr(user, "pk", None)).order_by("-created_at")


def queue_for(user: Any, *, status: str | None = None,
              department: str | None = None) -> QuerySet[Appeal]:
    """The appeals ``user`` may handle, privileged first, then the nearest deadline."""
    scopes = scope_filter(user, "appeals.appeal.view")
    rows = Appeal.objects.select_related("reception", "executor")
    if scopes is not None:
        departments = {dept for dept, _district in scopes}
        if not departments:
            return Appeal.objects.none()
        if "" not in departments:
            rows = rows.filter(department__in=departments)
    if status:
        rows = rows.filter(status=status)
    if department:
        rows = rows.filter(department=department)
    return rows.order_by("-privileged", "due", "pk")
