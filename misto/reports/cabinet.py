"""The reports module's panel on the resident's cabinet home: my open reports, next steps.

A resident opening the cabinet wants to know what happens next with what they reported,
so each open report says its next step (and the promised date when the department has
one) instead of a bare status.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from misto.core.registry import CabinetPanel, PanelOrder
from misto.reports.models import OPEN_STATUSES, Report, Status

SHOWN = 10  # rows per list; the rest is one click away


@dataclass(frozen=True)
class OpenReport:
    report: Report
    next_step: str


def next_step(report: Report) -> str:
    """What happens next with an open report, in the resident's words."""
    department = report.department.name if report.department else _("city services")
    if report.status == Status.NEW:
        return _("Waiting to be accepted by: %(department)s.") % {"department": department}
    if report.status == Status.ACCEPTED:
        return _("Accepted by: %(department)s. The work is being planned.") % {
            "department": department}
    return _("Being fixed by: %(department)s. You will get a message when it is done.") % {
        "department": department}


def _open(rows: QuerySet[Report]) -> list[OpenReport]:
    return [OpenReport(report, next_step(report)) for report in rows]


def my_reports_panel(request: HttpRequest) -> CabinetPanel | None:
    if not request.user.is_authenticated:
        return None
    open_reports = (Report.objects.filter(status__in=OPEN_STATUSES)
                    .select_related("category", "department"))
    mine = open_reports.filter(author=request.user).order_by("-created_at")[:SHOWN]
    followed = (open_reports.filter(followers__user=request.user)
                .exclude(author=request.user).order_by("-updated_at")[:SHOWN])
    return CabinetPanel(title=gettext_lazy("My open reports"), template="reports/panel.html",
                        context={"mine": _open(mine), "followed": _open(followed)},
                        url_name="reports:submit", order=PanelOrder.MY_CASES,
                        key="reports-mine")
