"""The budget API's typed shapes (nothing personal: a ballot names no one)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field

RoundNumber = Annotated[str, Field(pattern=r"^[0-9A-Za-z-]{1,20}$")]
Receipt = Annotated[str, Field(pattern=r"^[0-9a-f]{20}$")]
Base64 = Annotated[str, Field(max_length=1024, pattern=r"^[A-Za-z0-9+/=]+$")]
District = Annotated[str, Field(max_length=64)]


class PoolOut(Schema):
    district: str
    amount: int
    spent: int
    winners: list[str]


class RoundOut(Schema):
    number: str
    title: str
    phase: str
    proposals_until: date | None
    voting_from: date | None
    voting_until: date | None
    city_amount: int
    districts: dict[str, int]
    project_min: int
    project_max: int
    method: str
    max_choices: int
    min_age: int
    ballots: int
    voting_open: bool


class ProgressIn(Schema):
    stage: Annotated[str, Field(max_length=16)]
    spent: Annotated[int, Field(ge=0, le=10**12)]
    note: Annotated[str, Field(max_length=2000)]


class ProgressOut(Schema):
    stage: str
    spent: int
    note: str
    recorded_at: datetime


class BudgetCostLine(Schema):
    item: Annotated[str, Field(max_length=200)]
    amount: Annotated[int, Field(ge=1, le=10**12)] = Field(description="UAH")


class ProjectOut(Schema):
    id: int
    number: str
    round: str
    title: str
    description: str
    district: str
    cost: int
    proposed_cost: int
    status: str
    review_reason: str
    author_answer: str
    votes: int
    spent: int
    progress: list[ProgressOut]
    place: dict[str, Any]
    cost_lines: list[BudgetCostLine] = Field(description="the author's cost estimate")


class AnswerIn(Schema):
    text: Annotated[str, Field(max_length=2000)]


class ResultsOut(Schema):
    round: str
    phase: str
    ballots: int
    pools: list[PoolOut]


class BudgetKeyOut(Schema):
    district: str
    public_key: str = Field(description="RSA public key (PEM) the district's tokens are "
                                        "blind-signed with (RFC 9474 RSABSSA-SHA384-PSS-"
                                        "Deterministic)")
    n: str = Field(description="the key's modulus, hexadecimal (for clients without ASN.1)")
    e: int = Field(description="the key's public exponent")


class ProposalIn(Schema):
    title: Annotated[str, Field(max_length=200)]
    description: Annotated[str, Field(max_length=5000)]
    cost: Annotated[int, Field(ge=0, le=10**12)]
    place: dict[str, Any] = Field(description="GeoJSON Point or Polygon on the twin")
    lines: list[BudgetCostLine] = Field(default_factory=list, max_length=30,
                                        description="the cost estimate, adding up to cost")


class TokenIn(Schema):
    district: District = Field(description="my district: the key I blinded with")
    blinded_msg: Base64 = Field(description="the blinded token (RFC 9474 Blind), base64")


class BudgetTokenOut(Schema):
    district: str
    public_key: str
    blind_signature: str = Field(description="RFC 9474 BlindSign output, base64; finalize "
                                             "it with your blinding inverse")


class BallotIn(Schema):
    district: District
    token: Base64 = Field(description="the 32-byte token, base64")
    signature: Base64 = Field(description="the finalized signature on the token, base64")
    choices: list[Annotated[str, Field(max_length=24)]] = Field(max_length=100)


class BallotOut(Schema):
    round: str
    district: str
    receipt: str
    choices: list[str]
    ledger_index: int


class RecountLine(Schema):
    project: str
    ledger: int
    shown: int


class BudgetRecountOut(Schema):
    round: str
    agrees: bool
    ballots_ledger: int
    ballots_shown: int
    projects: list[RecountLine]
    forged: list[int]
    reused: list[int]
    invalid: list[int]


class ReviewIn(Schema):
    approve: bool
    reason: Annotated[str, Field(max_length=2000)]
    cost: Annotated[int, Field(ge=0, le=10**12)] | None = None


class PhaseIn(Schema):
    phase: Annotated[str, Field(max_length=16)]
