"""The directory's refusals (see misto.core.errors)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from misto.core.errors import MistoError


class DirectoryCode(StrEnum):
    NOT_FOUND = "not_found"
    INVALID = "invalid"
    BAD_HOURS = "bad_hours"
    BAD_PHONE = "bad_phone"
    BAD_PLACE = "bad_place"
    BAD_HSDS = "bad_hsds"
    BAD_PHOTO = "bad_photo"
    TOO_MANY = "too_many"


class DirectoryError(MistoError):
    STATUS = {DirectoryCode.NOT_FOUND: 404, DirectoryCode.TOO_MANY: 409}

    def __init__(self, code: DirectoryCode, message: str, *, status: int | None = None,
                 field: str | None = None) -> None:
        super().__init__(code, message, status=status or self.STATUS.get(code, 400),
                         field=field)


class DirectoryProblems(DirectoryError):
    """A refusal with one or more problems, each by its path; the API body lists them all."""

    def __init__(self, code: DirectoryCode, problems: dict[str, str]) -> None:
        summary = "; ".join(f"{key}: {value}" for key, value in list(problems.items())[:5])
        super().__init__(code, summary, field=next(iter(problems)))
        self.problems = problems

    def api_body(self) -> dict[str, Any]:
        return {**super().api_body(), "problems": self.problems}
