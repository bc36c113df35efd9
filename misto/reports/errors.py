"""Error codes and errors of the reports module: the pages, the JSON API and Open311 say the
same thing, each in its own shape (``misto.core.errors``)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from misto.core.errors import MistoError


class ReportsCode(StrEnum):
    UNKNOWN_CATEGORY = "unknown_category"
    NO_LOCATION = "no_location"
    BAD_COORDINATES = "bad_coordinates"
    OUTSIDE_CITY = "outside_city"
    UNKNOWN_LANDMARK = "unknown_landmark"
    ADDRESS_NOT_FOUND = "address_not_found"
    MISSING_ATTRIBUTE = "missing_attribute"
    BAD_ATTRIBUTE = "bad_attribute"
    NO_DESCRIPTION = "no_description"
    PHOTO_TOO_LARGE = "photo_too_large"
    PHOTO_NOT_IMAGE = "photo_not_image"
    TOO_MANY_PHOTOS = "too_many_photos"
    BAD_TRANSITION = "bad_transition"
    NOTE_REQUIRED = "note_required"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    MISSING_KEY = "missing_api_key"
    BAD_KEY = "bad_api_key"
    BAD_REQUEST = "bad_request"
    BAD_CONTACT = "bad_contact"
    BAD_CODE = "bad_code"


class ReportError(MistoError):
    """A request the reports module refuses (``field`` names the form field at fault)."""


class ReportErrors(ReportError):
    """Several problems found at once: a form shows each beside its field, Open311 lists
    each, and the API answers the first one's code with all of them under ``errors``."""

    def __init__(self, errors: list[ReportError]) -> None:
        first = errors[0]
        super().__init__(first.code, "; ".join(error.message for error in errors),
                         status=max(error.status for error in errors), field=first.field)
        self.errors = errors

    def api_body(self) -> dict[str, Any]:
        return {**super().api_body(), "errors": [
            {"error": str(error.code), "detail": error.message, "field": error.field}
            for error in self.errors]}
