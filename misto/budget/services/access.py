"""Who sees what: rounds and projects are public (a rejected project too, with its reason);
the same 404 for a missing one as for anything hidden."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from misto.budget.errors import BudgetCode, BudgetError
from misto.budget.models import Project, Round, Status
from misto.core.permissions import require


def access_round(number: str, *, for_update: bool = False) -> Round:
    rows = Round.objects.select_for_update() if for_update else Round.objects
    found = rows.filter(number=str(number)[:20]).first()
    if found is None:
        raise BudgetError(BudgetCode.NOT_FOUND, _("There is no such budget round."))
    return found


def access_project(user: Any, project_id: int, action: str | None = None,
                   *, for_update: bool = False) -> Project:
    """The project; with ``action``, the user must be allowed it on this project (403)."""
    rows = Project.objects.select_for_update() if for_update else Project.objects
    project = rows.select_related("round").filter(pk=project_id).first()
    if project is None:
        raise BudgetError(BudgetCode.NOT_FOUND, _("There is no such project."))
    if action is not None:
        require(user, action, project)
    return project


def round_projects(found: Round, *, district: str | None = None,
                   status: str | None = None) -> QuerySet[Project]:
    rows = Project.objects.filter(round=found)
    if district is not None:
        rows = rows.filter(district=district)
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-votes", "number")


def review_queue() -> QuerySet[Project]:
    return Project.objects.filter(status=Status.SUBMITTED).select_related("round") \
        .order_by("created_at")


def own_projects(user: Any) -> QuerySet[Project]:
    return Project.objects.filter(author=user).select_related("round").order_by("-created_at")
