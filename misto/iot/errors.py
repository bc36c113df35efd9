"""Error codes and errors of the IoT module: the registry and time-series API, the refused
device messages (dead letters) and the payload decoders."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

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


class RejectCode(StrEnum):
    """Why a device message was refused: the dead letter's ``reason``, and the ``error`` of
    the HTTP intake's and the webhooks' 400 answer. Operators filter dead letters by it."""

    TOO_LARGE = "too_large"
    BAD_JSON = "bad_json"
    BAD_FORMAT = "bad_format"
    BAD_TOPIC = "bad_topic"
    BAD_TIMESTAMP = "bad_timestamp"
    BAD_VALUE = "bad_value"
    BAD_VALUES = "bad_values"
    BAD_BASE64 = "bad_base64"
    OUT_OF_RANGE = "out_of_range"
    UNKNOWN_QUANTITY = "unknown_quantity"
    UNKNOWN_DEVICE = "unknown_device"
    INACTIVE_DEVICE = "inactive_device"
    FORBIDDEN_DEVICE = "forbidden_device"
    DECODE_FAILED = "decode_failed"


class Rejected(MistoError):
    """A device message that cannot be stored: ``code`` (a :class:`RejectCode`) and the
    message say why; ``device_uid`` names the device when it is known.

    The channel stores it as a dead letter; on HTTP the answer carries the dead letter's
    id (``dead_letter``), so a gateway's operator can find it.
    """

    def __init__(self, code: RejectCode, message: str, device_uid: str = "") -> None:
        super().__init__(code, message)
        self.device_uid = device_uid
        self.dead_letter: int | None = None
        # A LoRaWAN uplink none of whose decoded fields is a quantity: recorded on the
        # device as well, so that the IT administrator sees what to map.
        self.unknown_fields: dict[str, Any] = {}

    @property
    def reason(self) -> str:
        return str(self.code)

    def api_body(self) -> dict[str, Any]:
        body = super().api_body()
        if self.dead_letter is not None:
            body["dead_letter"] = self.dead_letter
        return body


class DecodeError(MistoError):
    """A payload does not match its decoder's format; the message says why.

    A city's own decoder raises ``DecodeError("why")``; the channel turns it into a
    ``decode_failed`` dead letter.
    """

    def __init__(self, message: str) -> None:
        super().__init__(RejectCode.DECODE_FAILED, message)
