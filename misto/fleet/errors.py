"""The fleet module's refusals (see misto.core.errors)."""

from __future__ import annotations

from enum import StrEnum

from misto.core.errors import MistoError


class FleetCode(StrEnum):
    NOT_FOUND = "not_found"
    UNKNOWN_TRACKER = "unknown_tracker"
    BAD_FIX = "bad_fix"
    INVALID = "invalid"
    SELF_APPROVAL = "self_approval"
    ALREADY_APPROVED = "already_approved"


class FleetError(MistoError):
    """A request the fleet module refuses."""

    STATUS = {FleetCode.NOT_FOUND: 404, FleetCode.UNKNOWN_TRACKER: 401,
              FleetCode.SELF_APPROVAL: 403, FleetCode.ALREADY_APPROVED: 409}

    def __init__(self, code: FleetCode, message: str, *, status: int | None = None,
                 field: str | None = None) -> None:
        super().__init__(code, message, status=status or self.STATUS.get(code, 400),
                         field=field)
