"""Error codes and errors of the situation centre: the API, the pages and the tests say the
same."""

from __future__ import annotations

from enum import StrEnum

from misto.core.errors import MistoError


class SituationCode(StrEnum):
    INVALID = "invalid"
    FORBIDDEN = "forbidden"
    NOT_SIGNED_IN = "not_signed_in"
    NOT_FOUND = "not_found"
    BAD_FILTER = "bad_filter"
    BAD_STATUS = "bad_status"
    BAD_TRANSITION = "bad_transition"
    BAD_PHOTO = "bad_photo"
    BAD_AREA = "bad_area"
    UNKNOWN_CREW = "unknown_crew"
    NOTHING_TO_ASSIGN = "nothing_to_assign"
    RESOLVED = "already_resolved"


class SituationError(MistoError):
    """A request the situation centre refuses."""


def forbidden(message: str) -> SituationError:
    return SituationError(SituationCode.FORBIDDEN, message, status=403)


def not_found(message: str) -> SituationError:
    return SituationError(SituationCode.NOT_FOUND, message, status=404)
