"""The petitions module's refusals (see misto.core.errors)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from misto.core.errors import MistoError


class PetitionsCode(StrEnum):
    NOT_FOUND = "not_found"
    INVALID = "invalid"
    NOT_ELIGIBLE = "not_eligible"
    LEVEL_TOO_LOW = "level_too_low"
    ALREADY_SIGNED = "already_signed"
    NOT_SIGNED = "not_signed"
    NOT_COLLECTING = "not_collecting"
    WRONG_STATUS = "wrong_status"
    UNKNOWN_RULE = "unknown_rule"


class PetitionError(MistoError):
    """A request the petitions module refuses; ``status`` follows the code by default."""

    STATUS = {PetitionsCode.NOT_FOUND: 404, PetitionsCode.NOT_ELIGIBLE: 403,
              PetitionsCode.LEVEL_TOO_LOW: 403, PetitionsCode.ALREADY_SIGNED: 409,
              PetitionsCode.NOT_SIGNED: 409, PetitionsCode.NOT_COLLECTING: 409,
              PetitionsCode.WRONG_STATUS: 409}

    def __init__(self, code: PetitionsCode, message: str, *, status: int | None = None,
                 field: str | None = None) -> None:
        super().__init__(code, message, status=status or self.STATUS.get(code, 400),
                         field=field)


class DraftProblems(PetitionError):
    """A draft with one or more problems; the API body lists each by field."""

    def __init__(self, problems: dict[str, str]) -> None:
        field, message = next(iter(problems.items()))
        super().__init__(PetitionsCode.INVALID, message, field=field)
        self.problems = problems

    def api_body(self) -> dict[str, Any]:
        return {**super().api_body(), "problems": self.problems}
