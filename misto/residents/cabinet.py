"""The residents module's own panel on the cabinet home: quick actions from every module.

Modules declare their quick actions (``MistoModule.quick_actions``: "report a problem",
"subscriptions"...); this panel only gathers the ones the resident may take, so the
residents module never imports an optional module.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from misto.core.registry import CabinetPanel, PanelOrder, quick_actions_for


def quick_actions_panel(request: HttpRequest) -> CabinetPanel | None:
    actions = quick_actions_for(request.user)
    if not request.user.is_authenticated or not actions:
        return None
    return CabinetPanel(title=gettext_lazy("Quick actions"),
                        template="residents/quick_actions.html", context={"actions": actions},
                        order=PanelOrder.QUICK_ACTIONS, key="quick-actions")
