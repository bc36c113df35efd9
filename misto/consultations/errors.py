"""The consultations module's refusals (see misto.core.errors)."""

from __future__ import annotations

from enum import StrEnum

from misto.core.errors import MistoError


class ConsultationsCode(StrEnum):
    NOT_FOUND = "not_found"
    INVALID = "invalid"
    WRONG_STATE = "wrong_state"
    LEVEL_TOO_LOW = "level_too_low"
    NOT_ELIGIBLE = "not_eligible"
    OUTSIDE_DISTRICT = "outside_district"
    ALREADY_VOTED = "already_voted"
    BAD_TOKEN = "bad_token"
    TOKEN_USED = "token_used"
    BAD_CHOICE = "bad_choice"


class ConsultationsError(MistoError):
    """A request the consultations module refuses; ``status`` follows the code by default."""

    STATUS = {ConsultationsCode.NOT_FOUND: 404, ConsultationsCode.LEVEL_TOO_LOW: 403,
              ConsultationsCode.NOT_ELIGIBLE: 403, ConsultationsCode.OUTSIDE_DISTRICT: 403,
              ConsultationsCode.ALREADY_VOTED: 409, ConsultationsCode.TOKEN_USED: 409,
              ConsultationsCode.WRONG_STATE: 409, ConsultationsCode.BAD_TOKEN: 403}

    def __init__(self, code: ConsultationsCode, message: str, *, status: int | None = None,
                 field: str | None = None) -> None:
        super().__init__(code, message, status=status or self.STATUS.get(code, 400),
                         field=field)
