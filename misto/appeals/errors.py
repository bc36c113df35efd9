"""The e-reception's refusals (see misto.core.errors)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from misto.core.errors import MistoError


class AppealsCode(StrEnum):
    NOT_FOUND = "not_found"
    INVALID = "invalid"
    WRONG_STATUS = "wrong_status"
    EXTENSION_LIMIT = "extension_limit"
    LEVEL_TOO_LOW = "level_too_low"


class AppealError(MistoError):
    STATUS = {AppealsCode.NOT_FOUND: 404, AppealsCode.WRONG_STATUS: 409,
              AppealsCode.EXTENSION_LIMIT: 409, AppealsCode.LEVEL_TOO_LOW: 403}

    def __init__(self, code: AppealsCode, message: str, *, status: int | None = None,
                 field: str | None = None) -> None:
        super().__init__(code, message, status=status or self.STATUS.get(code, 400),
                         field=field)


class AppealProblems(AppealError):
    """An appeal with one or more problems; the API body lists each by field."""

    def __init__(self, problems: dict[str, str]) -> None:
        field, message = next(iter(problems.items()))
        super().__init__(AppealsCode.INVALID, message, field=field)
        self.problems = problems

    def api_body(self) -> dict[str, Any]:
        return {**super().api_body(), "problems": self.problems}
