"""Correction requests: a resident asks, a clerk of their district approves or rejects.

An approval changes the register through ``change_person`` with the request as its basis.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from misto.core.permissions import can
from misto.residents.errors import ResidentsCode, ResidentsError, not_found
from misto.residents.models import AccessLogEntry, CorrectionRequest, Person
from misto.residents.services.reading import actor_label
from misto.residents.services.register import change_person
from misto.residents.services.validation import CORRECTABLE, PERSONAL_FIELDS, clean_person


def request_correction(person: Person, *, field: str, value: str, comment: str,
                       by: Any) -> CorrectionRequest:
    if field not in CORRECTABLE:
        raise ResidentsError(ResidentsCode.BAD_FIELD,
                             _("This field cannot be corrected by request."),
                             errors={"field": _("not correctable")})
    if not can(by, "residents.person.request_correction", person):
        raise PermissionDenied("residents.person.request_correction")
    cleaned, errors = clean_person({**{name: getattr(person, name) for name in
                                       PERSONAL_FIELDS}, field: value}, check_address=False)
    if field in errors:
        raise ResidentsError(ResidentsCode.INVALID_VALUE,
                             _("The correct value is not valid."), errors={field: errors[field]})
    if CorrectionRequest.objects.filter(person=person, field=field,
                                        status=CorrectionRequest.Status.PENDING).exists():
        raise ResidentsError(ResidentsCode.PENDING,
                             _("A request for this field is already waiting."))
    return CorrectionRequest.objects.create(person=person, field=field,
                                            new_value=str(cleaned[field]),
                                            comment=comment.strip()[:2000])


def decide_correction(request_id: int, *, approve: bool, reason: str, by: Any
                      ) -> CorrectionRequest:
    """A clerk approves (the register changes, with the request as its basis) or rejects."""
    with transaction.atomic():
        correction = (CorrectionRequest.objects.select_for_update()
                      .select_related("person").filter(pk=request_id).first())
        if correction is None:
            raise not_found(_("No such request."))
        if not can(by, "residents.correction.approve", correction):
            raise PermissionDenied("residents.correction.approve")
        if correction.status != CorrectionRequest.Status.PENDING:
            raise ResidentsError(ResidentsCode.DECIDED, _("This request was already decided."))
        if not reason.strip() and not approve:
            raise ResidentsError(ResidentsCode.REASON_REQUIRED,
                                 _("Give the reason for the rejection."))
        if approve:
            change_person(correction.person, {correction.field: correction.new_value}, by=by,
                          basis=_("correction request %(id)s: %(reason)s") % {
                              "id": correction.pk, "reason": reason.strip()},
                          action="corrected")
        correction.status = (CorrectionRequest.Status.APPROVED if approve
                             else CorrectionRequest.Status.REJECTED)
        correction.decided_by = by
        correction.decided_at = timezone.now()
        correction.decision_reason = reason.strip()[:1000]
        correction.save()
    return correction


def pending_corrections(actor: Any) -> list[CorrectionRequest]:
    """Requests the actor may decide; showing a request's value is logged as a read."""
    rows = CorrectionRequest.objects.filter(status=CorrectionRequest.Status.PENDING)
    visible = [row for row in rows.select_related("person")[:500]
               if can(actor, "residents.correction.approve", row)]
    AccessLogEntry.objects.bulk_create(
        AccessLogEntry(person=row.person, actor=actor, actor_label=actor_label(actor),
                       fields=[row.field], reason=_("review of correction request %(id)s")
                       % {"id": row.pk}, channel="web")
        for row in visible
    )
    return visible
