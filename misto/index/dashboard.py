"""The index's panel on the situational centre's dashboard (``MistoModule.dashboard_panels``):
the leaders see the City Progress Index where they already look. The situation module
renders it without importing the index; the index does not import the situation module."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from misto.core.permissions import can
from misto.core.registry import DashboardPanel
from misto.index import services
from misto.index.permissions import LEADERSHIP_VIEW


def leadership_panel(request: HttpRequest) -> DashboardPanel | None:
    """The index this year, its themes and the change since last year, the indicators off
    target; only for staff with ``index.leadership.view``."""
    if not can(request.user, LEADERSHIP_VIEW):
        return None
    return DashboardPanel(_("City Progress Index"), "index/_dashboard.html",
                          {"view": services.leadership(timezone.localdate().year)},
                          key="index-leadership")
