"""Who may see and change the situational centre's incidents.

One file so that every entry point (views, API, dispatch) asks the same questions: a
dispatcher's view and dispatch rights come from the permission vocabulary, a crew member's
right to work on an incident from membership of the assigned crew.
"""

from __future__ import annotations

from typing import Any

from misto.core.permissions import can
from misto.situation.models import Crew, Incident


def can_view(user: Any) -> bool:
    """Dispatchers, leadership and other staff see the whole picture."""
    return can(user, "situation.incident.view")


def can_dispatch(user: Any) -> bool:
    return can(user, "situation.incident.dispatch")


def is_crew_member(user: Any, incident: Incident) -> bool:
    if not getattr(user, "is_authenticated", False) or incident.crew_id is None:
        return False
    return Crew.objects.filter(pk=incident.crew_id, members=user).exists()


def can_work_on(user: Any, incident: Incident) -> bool:
    """The assigned crew's members report progress; dispatchers may too."""
    return can_dispatch(user) or (bool(getattr(user, "is_active", False))
                                  and is_crew_member(user, incident))


def can_see_incident(user: Any, incident: Incident) -> bool:
    return can_view(user) or can_work_on(user, incident)
