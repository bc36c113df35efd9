"""The notifications module's error codes and errors: the API, the pages, the forms and the
commands tell bad input from a forbidden step by ``code``, never by parsing messages.

A service raises ``NotificationError(NotificationsCode.BAD_TOPIC, _("Why, for people."))``;
the HTTP status follows from the code (404 for a missing or hidden object, 403 for a step the
user may not take, 409 for a conflict with the object's state, 400 otherwise) and the one
handler in ``misto/api.py`` answers with it. A leaf: it imports only the core.
"""

from __future__ import annotations

from enum import StrEnum

from misto.core.errors import MistoError


class NotificationsCode(StrEnum):
    BAD_TOPIC = "bad_topic"
    BAD_TARGET = "bad_target"
    BAD_AREA = "bad_area"
    BAD_DISTRICT = "bad_district"
    BAD_BUILDINGS = "bad_buildings"
    BAD_TIMES = "bad_times"
    BAD_TEXT = "bad_text"
    BAD_OUTAGE = "bad_outage"
    BAD_QUIET_HOURS = "bad_quiet_hours"
    BAD_ADDRESS = "bad_address"
    BAD_TOKEN = "bad_token"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    SAME_PERSON = "same_person"
    WRONG_STATUS = "wrong_status"
    GATEWAY_FAILED = "gateway_failed"


STATUS = {NotificationsCode.NOT_FOUND: 404, NotificationsCode.FORBIDDEN: 403,
          NotificationsCode.SAME_PERSON: 409, NotificationsCode.WRONG_STATUS: 409,
          NotificationsCode.GATEWAY_FAILED: 502}


class NotificationError(MistoError):
    """Bad input or a forbidden step; the status follows from the code unless given."""

    def __init__(self, code: NotificationsCode, message: str, *, status: int | None = None,
                 field: str | None = None) -> None:
        super().__init__(code, message, status=status or STATUS.get(code, 400), field=field)


class GatewayError(NotificationError):
    """An SMS/messenger provider refused or could not be reached; a gateway backend raises it
    and the runner retries the delivery (no person's request waits on a gateway)."""

    def __init__(self, message: str) -> None:
        super().__init__(NotificationsCode.GATEWAY_FAILED, message)
