"""The twin's error codes and errors: the API, the pages and the commands say the same."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from misto.core.errors import MistoError


class TwinCode(StrEnum):
    NOT_FOUND = "not_found"
    UNKNOWN_LAYER = "unknown_layer"
    UNKNOWN_NUMBER = "unknown_number"
    FORBIDDEN = "forbidden"
    INVALID_FEATURE = "invalid_feature"
    RETIRED = "retired"
    BAD_COORDINATES = "bad_coordinates"
    BAD_BBOX = "bad_bbox"
    BAD_AREA = "bad_area"
    BAD_PREDICATE = "bad_predicate"
    BAD_TILE = "bad_tile"
    EMPTY_QUERY = "empty_query"
    BAD_SRS = "bad_srs"
    IMPORT_FAILED = "import_failed"
    # Routing (services.routing)
    OUTSIDE_CITY = "outside_city"
    FAR_FROM_STREETS = "far_from_streets"
    NO_STREETS = "no_streets"
    UNREACHABLE = "unreachable"
    BAD_MODE = "bad_mode"
    BAD_LIMIT = "bad_limit"
    BAD_STATUS = "bad_status"


class TwinError(MistoError):
    """A request the twin refuses."""


class NotFound(TwinError):
    """Missing or not visible to the asker: the same 404 either way."""

    status = 404


class InvalidFeature(TwinError):
    """A feature with several problems at once; the API lists them all under ``errors``."""

    status = 422

    def __init__(self, errors: list[str]) -> None:
        super().__init__(TwinCode.INVALID_FEATURE, "; ".join(str(e) for e in errors))
        self.errors = [str(e) for e in errors]

    def api_body(self) -> dict[str, Any]:
        return {**super().api_body(), "errors": self.errors}
