"""The one error of the notifications services and its stable codes.

Every concept raises :class:`NotificationError`; the API, the forms and the commands tell bad
input from a forbidden step by ``code`` without parsing messages. Its own file because all
the other concept files import it and it imports none of them.
"""

from __future__ import annotations

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


class NotificationError(Exception):
    """Bad input or a forbidden step; ``code`` is stable, ``message`` is for people."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
