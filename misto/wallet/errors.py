"""The wallet's refusals (see misto.core.errors)."""

from __future__ import annotations

from enum import StrEnum

from misto.core.errors import MistoError


class WalletCode(StrEnum):
    NOT_FOUND = "not_found"
    INVALID = "invalid"
    NO_ACCOUNT = "no_account"
    INSUFFICIENT_FUNDS = "insufficient_funds"
    BAD_SIGNATURE = "bad_signature"
    UNKNOWN_PRODUCT = "unknown_product"
    BAD_TOKEN = "bad_token"
    TOKEN_EXPIRED = "token_expired"
    TOKEN_REPLAYED = "token_replayed"
    UNKNOWN_VALIDATOR = "unknown_validator"
    CONFLICT = "conflict"
    UNKNOWN_CARD = "unknown_card"
    CARD_BLOCKED = "card_blocked"
    SAME_PERSON = "same_person"
    NOT_PENDING = "not_pending"
    BAD_STATEMENT = "bad_statement"
    WRONG_CODE = "wrong_code"


class WalletError(MistoError):
    """A request the wallet refuses; ``status`` follows the code by default."""

    STATUS = {WalletCode.NOT_FOUND: 404, WalletCode.NO_ACCOUNT: 404,
              WalletCode.INSUFFICIENT_FUNDS: 409, WalletCode.BAD_SIGNATURE: 403,
              WalletCode.UNKNOWN_VALIDATOR: 401, WalletCode.TOKEN_REPLAYED: 409,
              WalletCode.CONFLICT: 409, WalletCode.UNKNOWN_CARD: 404,
              WalletCode.CARD_BLOCKED: 409, WalletCode.SAME_PERSON: 409,
              WalletCode.NOT_PENDING: 409, WalletCode.WRONG_CODE: 403}

    def __init__(self, code: WalletCode, message: str, *, status: int | None = None,
                 field: str | None = None) -> None:
        super().__init__(code, message, status=status or self.STATUS.get(code, 400),
                         field=field)
