"""Access to the register's objects: fetch and permission check in one call (Zulip's
``access_stream_by_id``).

Each helper answers the same :func:`~misto.residents.errors.not_found` (404) whether the
object is missing or the user may not see it, so no answer tells a user without the right
whether a tax number, or a request, exists. Pages and the API call these first, then the
change.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from misto.core.permissions import can
from misto.residents.errors import ResidentsCode, ResidentsError, not_found
from misto.residents.models import CorrectionRequest, Person
from misto.residents.services.reading import person_of
from misto.residents.services.register import find_by_rnokpp

MAX_DB_ID = 2**63 - 1


def access_person(user: Any, rnokpp: str, *,
                  action: str = "residents.person.view_personal") -> Person:
    """The person with this RNOKPP when ``user`` may ``action`` on them (staff look-ups)."""
    person = find_by_rnokpp(rnokpp) if rnokpp else None
    if person is None or not can(user, action, person):
        raise not_found(_("No such person in your scope."))
    return person


def access_own_person(user: Any) -> Person:
    """The signed-in resident's own record, or 404 when their account has none."""
    person = person_of(user)
    if person is None:
        raise ResidentsError(ResidentsCode.NOT_IN_REGISTER,
                             _("Your account is not linked to the register."), status=404)
    return person


def access_correction(user: Any, correction_id: int, *,
                      action: str = "residents.correction.approve") -> CorrectionRequest:
    """A correction request ``user`` may ``action`` (a clerk of the person's district)."""
    correction = (CorrectionRequest.objects.select_related("person")
                  .filter(pk=correction_id).first() if 0 < correction_id <= MAX_DB_ID else None)
    if correction is None or not can(user, action, correction):
        raise not_found(_("No such request."))
    return correction
