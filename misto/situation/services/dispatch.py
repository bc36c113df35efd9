"""Dispatch: dispatchers assign incidents, crews move them on to resolved.

Validate access and input first, then change the incident, write its history and publish
the events on commit. Resolving lives here too, because the correlation resolves incidents
whose every source has cleared in exactly the same way.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from misto.core.bus import publish
from misto.core.photos import BUSY, NOT_IMAGE, CleanPhoto, PhotoError, clean_photo
from misto.situation.errors import SituationCode, SituationError, forbidden
from misto.situation.events import IncidentAssigned, IncidentResolved
from misto.situation.models import (
    ACTIVE_STATUSES,
    Change,
    Crew,
    Incident,
    IncidentKind,
    IncidentUpdate,
    Status,
    UpdateAction,
)
from misto.situation.services.access import access_incident, can_dispatch
from misto.situation.services.livemap import record_change

PHOTO_MAX_BYTES = 10 * 1024 * 1024


def departments() -> list[str]:
    names = set(Crew.objects.values_list("department", flat=True))
    names |= set(IncidentKind.objects.exclude(department="").values_list("department",
                                                                          flat=True))
    return sorted(name for name in names if name)


def assign(incident_id: int, user: Any, *, department: str = "", crew_id: int | None = None,
           note: str = "") -> Incident:
    """Assign an incident to a department and/or a crew (dispatchers only).

    The first assignment ends the response time. A crew brings its department along.
    """
    with transaction.atomic():
        incident = access_incident(user, incident_id, "dispatch", lock=True)
        crew = _check_assignee(department, crew_id)
        department = (department or "").strip()[:100]
        if not incident.active:
            raise SituationError(
                SituationCode.RESOLVED,
                _("The incident is already resolved."), status=409)
        now = timezone.now()
        incident.department = crew.department if crew else department
        incident.crew = crew
        if incident.status == Status.OPEN:
            incident.status = Status.ASSIGNED
        if incident.assigned_at is None:
            incident.assigned_at = now
        incident.save()
        IncidentUpdate.objects.create(
            incident=incident, at=now, action=UpdateAction.ASSIGNED, status=incident.status,
            actor=user, note=note[:2000],
            data={"department": incident.department, "crew": crew.pk if crew else None,
                  "crew_name": crew.name if crew else ""},
        )
        record_change(Change.Topic.INCIDENT, incident.pk)
        publish(IncidentAssigned(
            incident_id=incident.pk, kind=incident.kind.code, department=incident.department,
            crew_id=crew.pk if crew else None, sources=list(incident.sources),
            assigned_at=now, district=incident.district or None,
        ))
    return incident


def _check_assignee(department: str, crew_id: int | None) -> Crew | None:
    """The active crew named (or none), refusing an assignment to nobody."""
    crew = None
    if crew_id is not None:
        crew = Crew.objects.filter(pk=crew_id, active=True).first()
        if crew is None:
            raise SituationError(
                SituationCode.UNKNOWN_CREW,
                _("There is no active crew %(id)s.") % {"id": crew_id})
    if crew is None and not (department or "").strip():
        raise SituationError(SituationCode.NOTHING_TO_ASSIGN, _("Choose a department or a crew."))
    return crew


ALLOWED_STEPS = {
    Status.OPEN: {Status.RESOLVED},
    Status.ASSIGNED: {Status.IN_PROGRESS, Status.RESOLVED},
    Status.IN_PROGRESS: {Status.RESOLVED},
}


def check_photo(photo: UploadedFile | None) -> CleanPhoto | None:
    """A crew photo through the core's one photo pipeline (as report photos): at most
    10 MB, a JPEG, PNG or WebP under the pixel cap, re-encoded without its metadata (a
    crew's GPS positions are personal). Returns what is stored, so nothing raw is."""
    if photo is None:
        return None
    try:
        return clean_photo(photo, getattr(photo, "name", "") or "", max_bytes=PHOTO_MAX_BYTES)
    except PhotoError as error:
        if error.code == NOT_IMAGE:
            raise SituationError(SituationCode.BAD_PHOTO,
                                 _("The photo is not a readable image.")) from error
        raise SituationError(SituationCode.BAD_PHOTO, error.message,
                             status=503 if error.code == BUSY else 400) from error


def _attach(update: IncidentUpdate, photo: CleanPhoto | None) -> None:
    """Put the cleaned photo on the update (saved with the update by the caller)."""
    if photo is not None:
        update.photo.save(f"photo.{photo.extension}", ContentFile(photo.content), save=False)


def change_status(incident_id: int, user: Any, status: str, *, note: str = "",
                  photo: UploadedFile | None = None) -> Incident:
    """A crew member (of the assigned crew) or a dispatcher moves the incident on:
    assigned → in progress → resolved, with a note and an optional photo. Resolving
    publishes ``situation.IncidentResolved`` so that reports can tell the reporters."""
    if status not in Status.values:
        raise SituationError(
            SituationCode.BAD_STATUS,
            _("Unknown status “%(status)s” (use one of: %(known)s).")
            % {"status": status, "known": ", ".join(Status.values)})
    clean = check_photo(photo)
    with transaction.atomic():
        incident = access_incident(user, incident_id, "work", lock=True)
        current = Status(incident.status)
        if status == current and (note or clean):
            _note(incident, user, note, clean)
            return incident
        if status not in ALLOWED_STEPS.get(current, set()):
            raise SituationError(
                SituationCode.BAD_TRANSITION,
                _("An incident that is %(current)s cannot become %(status)s.")
                % {"current": current.label, "status": Status(status).label}, status=409)
        if current == Status.OPEN and not can_dispatch(user):
            raise forbidden(_("Only a dispatcher may close an unassigned incident."))
        now = timezone.now()
        if status == Status.RESOLVED:
            _resolve(incident, user, note, now, clean)
        else:
            incident.status = status
            if incident.started_at is None:
                incident.started_at = now
            incident.save()
            update = IncidentUpdate(incident=incident, at=now, action=UpdateAction.STATUS,
                                    status=status, actor=user, note=note[:2000])
            _attach(update, clean)
            update.save()
            record_change(Change.Topic.INCIDENT, incident.pk)
    return incident


def _note(incident: Incident, user: Any, note: str, photo: CleanPhoto | None) -> None:
    update = IncidentUpdate(incident=incident, at=timezone.now(), action=UpdateAction.NOTE,
                            status=incident.status, actor=user, note=note[:2000])
    _attach(update, photo)
    update.save()
    record_change(Change.Topic.INCIDENT, incident.pk)


def _resolve(incident: Incident, user: Any, note: str, when: datetime,
             photo: CleanPhoto | None = None) -> None:
    incident.status = Status.RESOLVED
    incident.resolved_at = when
    incident.save()
    update = IncidentUpdate(incident=incident, at=when, action=UpdateAction.STATUS,
                            status=Status.RESOLVED, actor=user, note=note[:2000])
    _attach(update, photo)
    update.save()
    record_change(Change.Topic.INCIDENT, incident.pk)
    publish(IncidentResolved(
        incident_id=incident.pk, kind=incident.kind.code, sources=list(incident.sources),
        resolved_at=when, note=note[:2000], district=incident.district or None,
        photo_url=f"/situation/photos/{update.pk}" if update.photo else None,
    ))


def crew_tasks(user: Any, *, include_resolved: bool = False) -> QuerySet[Incident]:
    """The incidents assigned to the crews the user belongs to, most urgent first."""
    rows = Incident.objects.filter(crew__members=user, crew__active=True)
    if not include_resolved:
        rows = rows.filter(status__in=ACTIVE_STATUSES)
    return rows.select_related("kind", "crew").order_by("-severity", "assigned_at").distinct()
