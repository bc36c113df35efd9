"""The transit module's refusals (see misto.core.errors)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from misto.core.errors import MistoError


class TransitCode(StrEnum):
    NOT_FOUND = "not_found"
    BAD_FEED = "bad_feed"
    NO_FEED = "no_feed"
    BAD_FIX = "bad_fix"
    UNKNOWN_TRACKER = "unknown_tracker"
    INVALID = "invalid"


class TransitError(MistoError):
    STATUS = {TransitCode.NOT_FOUND: 404, TransitCode.NO_FEED: 404,
              TransitCode.UNKNOWN_TRACKER: 401}

    def __init__(self, code: TransitCode, message: str, *, status: int | None = None,
                 field: str | None = None) -> None:
        super().__init__(code, message, status=status or self.STATUS.get(code, 400),
                         field=field)


class FeedProblems(TransitError):
    """A GTFS feed refused: every problem, each as ``file:line: what``; nothing imported."""

    def __init__(self, problems: list[str]) -> None:
        shown = "; ".join(problems[:5]) + (f" (+{len(problems) - 5} more)"
                                           if len(problems) > 5 else "")
        super().__init__(TransitCode.BAD_FEED, shown)
        self.problems = problems

    def api_body(self) -> dict[str, Any]:
        return {**super().api_body(), "problems": self.problems[:1000]}
