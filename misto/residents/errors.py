"""Error codes and errors of the residents module: the API, the pages and the commands say
the same.

Every refusal of the module is a :class:`ResidentsError` (a ``MistoError``) with a code from
:class:`ResidentsCode`; the sign-in codes, passkeys, the bulk import, the demo provider, the
outbox and the RNOKPP rules raise their own subclasses, so a caller catches one family or one
kind. This file imports nothing of the module (``rnokpp`` stays free of Django through it).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from misto.core.errors import MistoError


class ResidentsCode(StrEnum):
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    RATE_LIMITED = "rate_limited"
    # the register
    NOT_IN_REGISTER = "not_in_register"
    BASIS_REQUIRED = "basis_required"
    INVALID_PERSON = "invalid_person"
    UNKNOWN_FIELD = "unknown_field"
    INVALID_BENEFIT = "invalid_benefit"
    INVALID_RELATION = "invalid_relation"
    REASON_REQUIRED = "reason_required"
    RNOKPP_FORMAT = "rnokpp_format"
    RNOKPP_CHECK_DIGIT = "rnokpp_check_digit"
    # corrections
    BAD_FIELD = "bad_field"
    INVALID_VALUE = "invalid_value"
    PENDING = "pending"
    DECIDED = "decided"
    # extracts
    NO_ADDRESS = "no_address"
    FILE_TOO_LARGE = "file_too_large"
    # identity providers
    OIDC_NO_SUBJECT = "oidc_no_subject"
    IDENTITY_CONFLICT = "identity_conflict"
    DEMO_IDP = "demo_idp"
    # sign-in codes and the outbox
    BAD_CHANNEL = "bad_channel"
    BAD_ADDRESS = "bad_address"
    SEND_FAILED = "send_failed"
    UNKNOWN_CODE = "unknown_code"
    USED_CODE = "used_code"
    EXPIRED_CODE = "expired_code"
    NOT_FOR_UPDATES = "not_for_updates"
    # passkeys
    PASSKEY_EXPIRED = "passkey_expired"
    PASSKEY_LIMIT = "passkey_limit"
    PASSKEY_INVALID = "passkey_invalid"
    PASSKEY_DUPLICATE = "passkey_duplicate"
    PASSKEY_REFUSED = "passkey_refused"
    # the bulk import
    BAD_IMPORT_FILE = "bad_import_file"


class ResidentsError(MistoError):
    """A refused operation; ``errors`` maps form fields to reasons (all of them at once).

    The API's body keeps the shape the residents API published before the one error model:
    ``detail`` starts with the code and ends with the fields' reasons, and ``errors`` lists
    them for clients that read fields.
    """

    def __init__(self, code: ResidentsCode, message: str, *, status: int | None = None,
                 field: str | None = None, errors: dict[str, str] | None = None) -> None:
        super().__init__(code, message, status=status, field=field)
        self.errors = {name: str(reason) for name, reason in (errors or {}).items()}

    def api_body(self) -> dict[str, Any]:
        reasons = "; ".join(f"{name}: {reason}" for name, reason in self.errors.items())
        detail = f"{self.code}: {self.message}" + (f" ({reasons})" if reasons else "")
        body: dict[str, Any] = {"error": str(self.code), "detail": detail}
        if self.errors:
            body["errors"] = self.errors
        return body


def not_found(message: str) -> ResidentsError:
    """Missing or not visible to the asker: the same 404 either way."""
    return ResidentsError(ResidentsCode.NOT_FOUND, message, status=404)


def forbidden(message: str) -> ResidentsError:
    return ResidentsError(ResidentsCode.FORBIDDEN, message, status=403)
