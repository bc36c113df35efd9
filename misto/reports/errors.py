"""Error codes of the reports module: the UI, the JSON API and Open311 say the same thing."""

from __future__ import annotations

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


class ReportError(Exception):
    """A request the module refuses: ``code`` is stable, ``message`` is for people.

    ``status`` is the HTTP status the API answers with; ``field`` names the form field.
    """

    def __init__(self, code: str, message: str, *, status: int = 400,
                 field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = str(message)
        self.status = status
        self.field = field


class ReportErrors(ReportError):
    """Several problems found at once (a form shows them all)."""

    def __init__(self, errors: list[ReportError]) -> None:
        first = errors[0]
        super().__init__(first.code, "; ".join(error.message for error in errors),
                         status=max(error.status for error in errors), field=first.field)
        self.errors = errors
