"""The index module's refusals (see misto.core.errors)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from misto.core.errors import MistoError


class IndexCode(StrEnum):
    NOT_FOUND = "not_found"
    BAD_PERIOD = "bad_period"
    BAD_DISTRICT = "bad_district"
    FUTURE_PERIOD = "future_period"
    OUT_OF_RANGE = "out_of_range"
    WRONG_METHOD = "wrong_method"
    NO_SOURCE = "no_source"
    BAD_FORMULA = "bad_formula"
    BAD_CATALOGUE = "bad_catalogue"
    BAD_IMPORT = "bad_import"
    NO_TARGETS = "no_targets"


class ProgressIndexError(MistoError):
    """A request the index module refuses."""

    STATUS = {IndexCode.NOT_FOUND: 404, IndexCode.NO_TARGETS: 409}

    def __init__(self, code: IndexCode, message: str, *, status: int | None = None,
                 field: str | None = None) -> None:
        super().__init__(code, message, status=status or self.STATUS.get(code, 400),
                         field=field)


class BadRows(ProgressIndexError):
    """A file or catalogue with bad rows: nothing is stored, every bad row is listed."""

    def __init__(self, code: IndexCode, message: str, rows: list[str]) -> None:
        super().__init__(code, message)
        self.rows = rows

    def api_body(self) -> dict[str, Any]:
        return {**super().api_body(), "rows": self.rows}
