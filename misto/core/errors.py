"""One error model for every module (Saleor's error codes, in Misto's shape).

A module declares its stable codes once, as a ``StrEnum`` in ``<module>/errors.py``, and
subclasses :class:`MistoError` for the requests it refuses. A service raises
``ModuleError(ModuleCode.SOMETHING, _("Why, for people."), status=404, field="lon")``;
the one exception handler in ``misto/api.py`` turns it into the API's error body, so no
API handler catches errors itself. The code is what clients, pages and tests compare;
the message is translated and may change.

Every public shape maps from the same code: the JSON API body (:meth:`MistoError.api_body`,
``{"error": code, "detail": message}``, overridden by a module whose published shape
differs), Open311's error list (:func:`open311_errors`) and a CKAN-style envelope
(:func:`ckan_error`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class CoreCode(StrEnum):
    """Codes any module may answer with; a module's own enum repeats those it uses."""

    INVALID = "invalid"
    NOT_SIGNED_IN = "not_signed_in"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    RATE_LIMITED = "rate_limited"


class MistoError(Exception):
    """A request Misto refuses: a stable ``code``, a ``message`` for people, the HTTP
    ``status`` the API answers with and, for a form, the ``field`` at fault.

    A subclass may set a default ``status`` (e.g. 404 for a "not found" class); the
    constructor's ``status`` overrides it for one raise.
    """

    status: int = 400

    def __init__(self, code: StrEnum, message: str, *, status: int | None = None,
                 field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = str(message)  # a lazy translation is resolved once, here
        if status is not None:
            self.status = status
        self.field = field

    def api_body(self) -> dict[str, Any]:
        """The JSON body of the API's answer; a module keeps a different published shape
        by overriding this (and only this)."""
        return {"error": str(self.code), "detail": self.message}

    def headers(self) -> dict[str, str]:
        """HTTP headers the answer carries besides the body (e.g. ``Retry-After``)."""
        return {}


def open311_errors(error: MistoError) -> list[dict[str, Any]]:
    """The error list of GeoReport v2 (Open311): ``[{"code": <status>, "description"}]``."""
    return [{"code": error.status, "description": error.message}]


def ckan_error(error: MistoError) -> dict[str, Any]:
    """A CKAN action-API style envelope, for the open-data endpoints that speak it."""
    return {"success": False, "error": {"__type": str(error.code), "message": error.message}}
