"""Who may see and change the situational centre's objects, and the one way to reach them.

One file so that every entry point (views, API, dispatch) asks the same questions: a
dispatcher's view and dispatch rights come from the permission vocabulary, a crew member's
right to work on an incident from membership of the assigned crew.

Each object has one ``access_<object>(user, id, action)`` (Zulip's ``access_stream_by_id``):
it fetches the object and checks the user's right in one call. An object the user may not
see answers exactly as a missing one (the same NOT_FOUND error, the same message), so no
answer tells a stranger that an id exists; only a user who sees the object and lacks the
right to act on it hears "forbidden".
"""

from __future__ import annotations

from typing import Any, Literal

from django.utils.translation import gettext as _

from misto.core.permissions import can
from misto.situation.errors import forbidden, not_found
from misto.situation.models import Crew, Emergency, Incident, IncidentUpdate


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


IncidentAction = Literal["view", "work", "dispatch"]


def access_incident(user: Any, incident_id: int, action: IncidentAction = "view", *,
                    lock: bool = False) -> Incident:
    """The incident, if ``user`` may ``action`` it: ``view`` (staff who watch, and the
    assigned crew), ``work`` (the assigned crew and dispatchers move it on) or ``dispatch``.

    Missing or not visible: NOT_FOUND (404), the same for both. Visible but not allowed:
    FORBIDDEN (403). ``lock`` takes the row lock (inside the caller's transaction).
    """
    rows = Incident.objects.select_related("kind", "crew", "emergency")
    if lock:
        rows = rows.select_for_update(of=("self",))
    incident = rows.filter(pk=incident_id).first()
    if incident is None or not can_see_incident(user, incident):
        # Without the id: a hidden and a missing incident answer byte for byte alike.
        raise not_found(_("No such incident."))
    if action == "dispatch" and not can_dispatch(user):
        raise forbidden(_("Only dispatchers may assign incidents."))
    if action == "work" and not can_work_on(user, incident):
        raise forbidden(_("Only the assigned crew or a dispatcher may update this incident."))
    return incident


EmergencyAction = Literal["view", "end"]


def access_emergency(user: Any, emergency_id: int, action: EmergencyAction = "view", *,
                     lock: bool = False) -> Emergency:
    """The emergency, if ``user`` may ``action`` it: ``view`` (staff who watch the situation)
    or ``end`` (``situation.emergency.end``). Missing or not visible: the same NOT_FOUND."""
    rows = Emergency.objects.all()
    if lock:
        rows = rows.select_for_update()
    emergency = rows.filter(pk=emergency_id).first()
    if emergency is None or not can_view(user):
        raise not_found(_("No such emergency."))
    if action == "end" and not can(user, "situation.emergency.end"):
        raise forbidden(_("Only dispatchers may end an emergency."))
    return emergency


def access_photo(user: Any, update_id: int) -> IncidentUpdate:
    """A status update's photo, for those who may see its incident; no photo, a missing
    update or a hidden incident are the same NOT_FOUND."""
    row = IncidentUpdate.objects.select_related("incident").filter(pk=update_id).first()
    if row is None or not row.photo or not can_see_incident(user, row.incident):
        raise not_found(_("No such photo."))
    return row
