"""The consultations API's typed shapes (nothing personal: a ballot names no one, a comment
shows its author's district only)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field

from misto.core.schemas import Instant

Receipt = Annotated[str, Field(pattern=r"^[0-9a-f]{20}$")]
Base64 = Annotated[str, Field(max_length=1024, pattern=r"^[A-Za-z0-9+/=]+$")]
Group = Annotated[str, Field(max_length=64)]
Text200 = Annotated[str, Field(max_length=200)]
District = Annotated[str, Field(max_length=64)]


class PollOptionOut(Schema):
    position: int
    text_uk: str
    text_en: str
    votes: int | None = Field(description="null while the results are not public")


class PollOut(Schema):
    id: int
    title_uk: str
    title_en: str
    summary_uk: str
    summary_en: str
    state: str
    choice: str = Field(description="single or multiple")
    max_choices: int
    free_text: bool
    effect: str = Field(description="advisory or binding")
    live_results: bool
    by_district: bool
    districts: list[str]
    district_only: bool
    min_age: int
    opens_at: datetime | None
    closes_at: datetime
    hearing: int | None
    ballots: int | None = Field(description="null while the results are not public")
    options: list[PollOptionOut]


class PollDistrictOut(Schema):
    district: str
    ballots: int
    votes: list[int] = Field(description="per answer, in the answers' order")


class PollResultsOut(Schema):
    poll: int
    state: str
    ballots: int
    options: list[PollOptionOut]
    districts: list[PollDistrictOut] = Field(
        description="only districts with at least the threshold's ballots")
    districts_withheld: int
    threshold: int


class PollKeyOut(Schema):
    group: str = Field(description="a district's code, or empty for the whole poll")
    public_key: str = Field(description="RSA public key (PEM), RFC 9474 RSABSSA-SHA384-PSS-"
                                        "Deterministic")
    n: str = Field(description="the key's modulus, hexadecimal")
    e: int


class PollTokenIn(Schema):
    group: Group = Field(description="the key group I blinded with (my district, or empty)")
    blinded_msg: Base64 = Field(description="the blinded token (RFC 9474 Blind), base64")


class PollTokenOut(Schema):
    group: str
    public_key: str
    blind_signature: str = Field(description="RFC 9474 BlindSign output, base64")


class PollBallotIn(Schema):
    group: Group
    token: Base64 = Field(description="the 32-byte token, base64")
    signature: Base64 = Field(description="the finalized signature on the token, base64")
    choices: list[Annotated[int, Field(ge=0, le=1000)]] = Field(max_length=50)
    text: Annotated[str, Field(max_length=1000)] = ""


class PollBallotOut(Schema):
    poll: int
    group: str
    receipt: str
    choices: list[int]
    ledger_index: int


class PollRecountLine(Schema):
    position: int
    ledger: int
    shown: int


class PollRecountOut(Schema):
    poll: int
    agrees: bool
    ballots_ledger: int
    ballots_shown: int
    options: list[PollRecountLine]
    forged: list[int]
    reused: list[int]
    invalid: list[int]


class PollLedgerBallot(Schema):
    index: int
    leaf_hash: str
    time: Any
    data: dict[str, Any]


class PollOptionIn(Schema):
    text_uk: Text200
    text_en: Text200 = ""


class PollIn(Schema):
    title_uk: Text200
    title_en: Text200 = ""
    summary_uk: Annotated[str, Field(max_length=5000)] = ""
    summary_en: Annotated[str, Field(max_length=5000)] = ""
    options: list[PollOptionIn] = Field(min_length=2, max_length=20)
    choice: Annotated[str, Field(max_length=10)] = "single"
    max_choices: Annotated[int, Field(ge=1, le=20)] = 1
    free_text: bool = False
    effect: Annotated[str, Field(max_length=10)] = "advisory"
    live_results: bool = False
    by_district: bool = False
    districts: list[District] = Field(default_factory=list, max_length=50)
    district_only: bool = False
    min_age: Annotated[int, Field(ge=0, le=120)] = 14
    register_verified_only: bool = True
    opens_at: Instant | None = None
    closes_at: Instant
    hearing: Annotated[int, Field(ge=1, le=2**31 - 1)] | None = None


class HearingDocumentOut(Schema):
    title_uk: str
    title_en: str
    body_uk: str
    body_en: str
    url: str


class HearingCommentOut(Schema):
    id: int
    parent: int | None
    district: str
    body: str = Field(description="empty when hidden")
    created_at: datetime
    hidden: bool
    hidden_rule: str
    hidden_reason: str


class HearingOut(Schema):
    id: int
    title_uk: str
    title_en: str
    summary_uk: str
    summary_en: str
    state: str
    districts: list[str]
    opens_at: datetime | None
    closes_at: datetime
    documents: list[HearingDocumentOut]
    comments: list[HearingCommentOut]
    polls: list[int]
    report_uk: str
    report_en: str
    reported_at: datetime | None


class HearingDocumentIn(Schema):
    title_uk: Text200
    title_en: Text200 = ""
    body_uk: Annotated[str, Field(max_length=20000)] = ""
    body_en: Annotated[str, Field(max_length=20000)] = ""
    url: Annotated[str, Field(max_length=200)] = ""


class HearingIn(Schema):
    title_uk: Text200
    title_en: Text200 = ""
    summary_uk: Annotated[str, Field(max_length=5000)] = ""
    summary_en: Annotated[str, Field(max_length=5000)] = ""
    documents: list[HearingDocumentIn] = Field(default_factory=list, max_length=20)
    districts: list[District] = Field(default_factory=list, max_length=50)
    district_only: bool = False
    min_age: Annotated[int, Field(ge=0, le=120)] = 14
    opens_at: Instant | None = None
    closes_at: Instant


class HearingCommentIn(Schema):
    body: Annotated[str, Field(max_length=4000)]
    parent: Annotated[int, Field(ge=1, le=2**63 - 1)] | None = None


class HearingReportIn(Schema):
    report_uk: Annotated[str, Field(max_length=50000)]
    report_en: Annotated[str, Field(max_length=50000)] = ""


class CommentHideIn(Schema):
    rule: Annotated[str, Field(max_length=16)]
    reason: Annotated[str, Field(max_length=1000)] = ""
