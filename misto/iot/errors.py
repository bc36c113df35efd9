"""Error codes and the error of the IoT registry and time-series API."""

from __future__ import annotations

from enum import StrEnum

from misto.core.errors import MistoError


class IotCode(StrEnum):
    INVALID = "invalid"
    UNAUTHORIZED = "unauthorized"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    UNKNOWN_LANDMARK = "unknown_landmark"
    UNKNOWN_MODEL = "unknown_model"
    UNKNOWN_QUANTITY = "unknown_quantity"
    BAD_COORDINATES = "bad_coordinates"
    BAD_DEVICE_ID = "bad_device_id"
    BAD_DEV_EUI = "bad_dev_eui"
    BAD_KIND = "bad_kind"
    BAD_TIME = "bad_time"
    BAD_NUMBER = "bad_number"
    BAD_PERIOD = "bad_period"
    DUPLICATE = "duplicate"
    ACCOUNT_CLASH = "account_clash"


class IotError(MistoError):
    """A bad request to the registry or the time-series API."""
