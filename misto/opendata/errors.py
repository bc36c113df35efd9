"""The open-data module's refusals (see misto.core.errors).

Its CKAN Action API answers in CKAN's envelope, whose ``__type`` is CKAN's own error type
(``ckanapi`` turns each into its exception class), so those codes are CKAN's names.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from misto.core.errors import MistoError, ckan_error


class OpendataCode(StrEnum):
    NOT_FOUND = "not_found"
    INVALID = "invalid"
    WITHDRAWN = "withdrawn"


class OpendataError(MistoError):
    """A request the portal's pages refuse; ``status`` follows the code by default."""

    STATUS = {OpendataCode.NOT_FOUND: 404, OpendataCode.WITHDRAWN: 409}

    def __init__(self, code: OpendataCode, message: str, *, status: int | None = None,
                 field: str | None = None) -> None:
        super().__init__(code, message, status=status or self.STATUS.get(code, 400),
                         field=field)


class CkanCode(StrEnum):
    """CKAN's error types (``ckan.logic``), which its clients match on."""

    BAD_REQUEST = "Bad Request"
    NOT_FOUND = "Not Found Error"
    VALIDATION = "Validation Error"
    AUTHORIZATION = "Authorization Error"
    SEARCH_QUERY = "Search Query Error"


class CkanError(MistoError):
    """A refusal of the CKAN Action API, with CKAN's status for each type."""

    STATUS = {CkanCode.BAD_REQUEST: 400, CkanCode.NOT_FOUND: 404, CkanCode.VALIDATION: 409,
              CkanCode.AUTHORIZATION: 403, CkanCode.SEARCH_QUERY: 409}

    def __init__(self, code: CkanCode, message: str, *, field: str | None = None) -> None:
        super().__init__(code, message, status=self.STATUS[code], field=field)

    def envelope(self) -> dict[str, Any]:
        body = ckan_error(self)
        if self.field:  # CKAN's validation errors name the field: {"rows": ["..."]}
            body["error"][self.field] = [self.message]
        return body
