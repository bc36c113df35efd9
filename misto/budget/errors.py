"""The budget module's refusals (see misto.core.errors)."""

from __future__ import annotations

from enum import StrEnum

from misto.core.errors import MistoError


class BudgetCode(StrEnum):
    NOT_FOUND = "not_found"
    INVALID = "invalid"
    WRONG_PHASE = "wrong_phase"
    LEVEL_TOO_LOW = "level_too_low"
    NOT_ELIGIBLE = "not_eligible"
    OUTSIDE_DISTRICT = "outside_district"
    ALREADY_VOTED = "already_voted"
    BAD_TOKEN = "bad_token"
    TOKEN_USED = "token_used"
    BAD_CHOICE = "bad_choice"
    WRONG_STATUS = "wrong_status"


class BudgetError(MistoError):
    """A request the budget module refuses; ``status`` follows the code by default."""

    STATUS = {BudgetCode.NOT_FOUND: 404, BudgetCode.LEVEL_TOO_LOW: 403,
              BudgetCode.NOT_ELIGIBLE: 403, BudgetCode.OUTSIDE_DISTRICT: 403,
              BudgetCode.ALREADY_VOTED: 409, BudgetCode.TOKEN_USED: 409,
              BudgetCode.WRONG_PHASE: 409, BudgetCode.WRONG_STATUS: 409,
              BudgetCode.BAD_TOKEN: 403}

    def __init__(self, code: BudgetCode, message: str, *, status: int | None = None,
                 field: str | None = None) -> None:
        super().__init__(code, message, status=status or self.STATUS.get(code, 400),
                         field=field)
