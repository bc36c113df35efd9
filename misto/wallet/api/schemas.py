"""The wallet API's typed shapes. Money is integer kopiyky (``*_kop``), never floats."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from ninja import Schema
from pydantic import Field, model_validator

Kopiyky = Annotated[int, Field(ge=-10_000_000, le=10_000_000)]


class AccountOut(Schema):
    balance_kop: int
    credit_limit_kop: int
    currency: str = "UAH"


class MovementOut(Schema):
    id: int
    kind: str
    memo: str
    amount_kop: int
    at: datetime


class PassOut(Schema):
    id: int
    product: str
    title: str
    trips_left: int | None
    valid_until: datetime


class ProductOut(Schema):
    code: str
    title: str
    kind: str
    price_kop: int
    trips: int
    days: int


class FaresOut(Schema):
    single_fare_kop: int
    daily_cap_kop: int
    weekly_cap_kop: int
    discounts: dict[str, int]  # benefit category code -> percent
    products: list[ProductOut]


class TopUpIn(Schema):
    amount_kop: Annotated[int, Field(ge=1, le=10_000_000)]
    # None: the city's provider (MISTO_WALLET_PROVIDER).
    provider: Annotated[str, Field(pattern=r"^[a-z]{2,20}$")] | None = None


class TopUpOut(Schema):
    order_id: str
    amount_kop: int
    status: str
    pay_url: str


class BuyPassIn(Schema):
    product: Annotated[str, Field(pattern=r"^[a-z0-9_-]{1,40}$")]
    # The client's idempotency key: a retried purchase with the same key buys once.
    request_id: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{8,64}$")]


class WalletTokenOut(Schema):
    token: str
    expires_at: datetime


class WalletKeyOut(Schema):
    key_id: str
    algorithm: str = "Ed25519"
    public_key: str  # base64 raw 32 bytes


class CallbackIn(Schema):
    data: Annotated[str, Field(max_length=4000)]
    signature: Annotated[str, Field(max_length=200)]


class CallbackOut(Schema):
    order_id: str
    status: str


class TapItem(Schema):
    """A tap of a ride token (the phone's QR) or of a city card: one of the two."""

    tap_id: Annotated[str, Field(pattern=r"^[A-Za-z0-9:._-]{4,80}$")]
    token: Annotated[str, Field(max_length=600)] = ""
    card: Annotated[str, Field(pattern=r"^\d{16}$")] | None = None
    at: datetime

    @model_validator(mode="after")
    def one_medium(self) -> TapItem:
        if bool(self.token) == bool(self.card):
            raise ValueError("a tap names a ride token or a card number: one of the two")
        return self


class TapsIn(Schema):
    taps: Annotated[list[TapItem], Field(max_length=5000)]
    # Taps the validator still holds after this batch (staff see it in the fleet).
    pending: Annotated[int, Field(ge=0, le=10_000_000)] | None = None


class WalletCardOut(Schema):
    id: int
    number: str  # masked: the last four digits
    issued_at: datetime
    blocked_at: datetime | None
    replaced_by: int | None


class DenyListOut(Schema):
    document: str  # v1.<payload>.<signature>, checked with GET /api/wallet/keys
    blocked: int


class TapOut(Schema):
    tap_id: str
    status: str
    code: str
    charged_kop: int
    basis: str


class WalletCorrectionIn(Schema):
    amount_kop: Kopiyky
    reason: Annotated[str, Field(min_length=3, max_length=200)]


class ValidatorIn(Schema):
    code: Annotated[str, Field(pattern=r"^[a-z0-9-]{2,40}$")]
    # Its id in the IoT registry, when it also uploads over MQTT (a ride-validator device).
    device: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")] | None = None


class ValidatorOut(Schema):
    code: str
    key: str  # shown once


class StaffAccountOut(AccountOut):
    id: int
    movements: list[MovementOut]


CardNumber = Annotated[str, Field(pattern=r"^[\d ]{16,19}$")]
RequestId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{8,64}$")]


class CardTopUpIn(Schema):
    """Money onto a city card by its number (anyone may pay onto a card)."""

    card: CardNumber
    amount_kop: Annotated[int, Field(ge=1, le=10_000_000)]
    provider: Annotated[str, Field(pattern=r"^[a-z]{2,20}$")] | None = None


class RegisterCardIn(Schema):
    number: CardNumber
    code: Annotated[str, Field(pattern=r"^[\d ]{4,12}$")]  # printed on the card's sleeve


class SellCardIn(Schema):
    cash_kop: Annotated[int, Field(ge=0, le=10_000_000)] = 0


class SoldCardOut(Schema):
    number: str  # printed on the card
    code: str  # the registration code for its sleeve: shown once
    balance_kop: int


class CashTopUpIn(Schema):
    card: CardNumber
    amount_kop: Annotated[int, Field(ge=1, le=10_000_000)]
    request_id: RequestId  # a retry with the same id takes the cash once


class CardBalanceOut(Schema):
    number: str  # masked
    balance_kop: int | None  # an anonymous card's own; None for a person's wallet
    anonymous: bool


class CorrectionRequestIn(WalletCorrectionIn):
    kind: Annotated[str, Field(pattern=r"^(correction|refund)$")] = "correction"


class CorrectionDecisionIn(Schema):
    note: Annotated[str, Field(max_length=200)] = ""


class WalletCorrectionOut(Schema):
    id: int
    account: int
    kind: str
    amount_kop: int
    reason: str
    status: str
    requested_by: str  # the staff member's sign-in name
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    note: str
    transfer: int | None
