""""Report wrong information": a resident's correction goes to the entry's maintaining
department; its clerks close it as fixed or declined with a note."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from misto.core import bus
from misto.core.permissions import can, scope_filter
from misto.directory.errors import DirectoryCode, DirectoryError
from misto.directory.events import CorrectionSent
from misto.directory.models import Correction, CorrectionStatus, Unit

TEXT = (5, 2000)
VIEW = "directory.correction.view"
EDIT = "directory.entry.edit"


def check_text(text: str) -> str:
    text = (text or "").strip()
    if not TEXT[0] <= len(text) <= TEXT[1]:
        raise DirectoryError(DirectoryCode.INVALID,
                             _("Describe what is wrong in %(min)s to %(max)s characters.")
                             % {"min": TEXT[0], "max": TEXT[1]}, field="text")
    return text


def send(unit: Unit, text: str, *, user: Any = None) -> Correction:
    text = check_text(text)
    with transaction.atomic():
        correction = Correction.objects.create(
            unit=unit, department=unit.department, text=text,
            sent_by=user if getattr(user, "is_authenticated", False) else None)
        bus.publish(CorrectionSent(correction_id=correction.pk, unit=unit.slug,
                                   department=unit.department,
                                   url=reverse("directory:corrections")))
    return correction


def queue_for(user: Any, *, status: str = CorrectionStatus.OPEN) -> QuerySet[Correction]:
    scopes = scope_filter(user, VIEW)
    rows = Correction.objects.select_related("unit").filter(status=status)
    if scopes is None:
        return rows
    departments = {dept for dept, _district in scopes}
    if not departments:
        return Correction.objects.none()
    return rows if "" in departments else rows.filter(department__in=departments)


def access_correction(user: Any, correction_id: int, action: str | None = None) -> Correction:
    correction = Correction.objects.select_related("unit").filter(pk=correction_id).first()
    if correction is None or not can(user, VIEW, correction):
        raise DirectoryError(DirectoryCode.NOT_FOUND, _("There is no such correction."))
    if action is not None and not can(user, action, correction):
        raise PermissionDenied(action)
    return correction


def resolve(user: Any, correction: Correction, *, fixed: bool, note: str = "") -> Correction:
    if correction.status != CorrectionStatus.OPEN:
        raise DirectoryError(DirectoryCode.INVALID, _("This correction is already closed."),
                             status=409)
    correction.status = CorrectionStatus.FIXED if fixed else CorrectionStatus.DECLINED
    correction.resolved_by = user
    correction.note = (note or "").strip()[:2000]
    correction.save(update_fields=["status", "resolved_by", "note"])
    return correction
