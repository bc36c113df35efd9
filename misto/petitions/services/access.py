"""Who sees which petition: one helper per object, the same 404 for missing and hidden."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from misto.core.permissions import can, require, scope_filter
from misto.petitions.errors import PetitionError, PetitionsCode
from misto.petitions.models import PUBLIC, Petition, Status


def may_see(user: Any, petition: Petition) -> bool:
    """The public sees published petitions; the author their own; staff per permission."""
    if petition.is_public:
        return True
    if getattr(user, "pk", None) and petition.author_id == user.pk:
        return True
    return can(user, "petitions.petition.view", petition)


def access_petition(user: Any, petition_id: int, action: str | None = None,
                    *, for_update: bool = False) -> Petition:
    """The petition, if ``user`` may see it; otherwise the same "not found" whether it is
    missing or hidden, so nothing tells that a draft exists. With ``action``, doing it on the
    (visible) petition must be allowed too: ``PermissionDenied`` (403) otherwise."""
    rows = Petition.objects.select_for_update() if for_update else Petition.objects
    petition = rows.filter(pk=petition_id).first()
    if petition is None or not may_see(user, petition):
        raise PetitionError(PetitionsCode.NOT_FOUND, _("There is no such petition."))
    if action is not None:
        require(user, action, petition)  # visible, so refusing the action reveals nothing
    return petition


def access_own(user: Any, petition_id: int) -> Petition:
    """The user's own petition; anyone else's answers as a missing one (a moderator may see
    another's draft, but may not submit or edit it)."""
    petition = Petition.objects.filter(pk=petition_id).first()
    if petition is None or not getattr(user, "pk", None) or petition.author_id != user.pk:
        raise PetitionError(PetitionsCode.NOT_FOUND, _("There is no such petition."))
    return petition


def access_by_number(user: Any, number: str, action: str | None = None) -> Petition:
    petition = Petition.objects.filter(number=number).first()
    if petition is None or not may_see(user, petition):
        raise PetitionError(PetitionsCode.NOT_FOUND, _("There is no such petition."))
    if action is not None:
        require(user, action, petition)
    return petition


def public_petitions(*, status: str | None = None, topic: str | None = None,
                     district: str | None = None, query: str = "") -> QuerySet[Petition]:
    rows = Petition.objects.filter(status__in=PUBLIC)
    if status:
        rows = rows.filter(status=status)
    if topic:
        rows = rows.filter(topic=topic)
    if district:
        rows = rows.filter(district=district)
    if query:
        rows = rows.filter(title__icontains=query[:100])
    return rows.order_by("-opened_at")


def own_petitions(user: Any) -> QuerySet[Petition]:
    return Petition.objects.filter(author=user).order_by("-created_at")


def moderation_queue(user: Any) -> QuerySet[Petition]:
    if not can(user, "petitions.petition.moderate"):
        return Petition.objects.none()
    return Petition.objects.filter(status=Status.MODERATION).order_by("submitted_at")


def answer_queue(user: Any) -> QuerySet[Petition]:
    """Petitions under consideration that ``user`` may answer (their department's), the
    nearest deadline first; late ones keep their place at the top."""
    scopes = scope_filter(user, "petitions.petition.answer")
    rows = Petition.objects.filter(status=Status.CONSIDERATION)
    if scopes is not None:
        departments = {department for department, _district in scopes}
        if not departments:
            return Petition.objects.none()
        if "" not in departments:
            rows = rows.filter(department__in=departments)
    return rows.order_by("answer_due", "pk")
