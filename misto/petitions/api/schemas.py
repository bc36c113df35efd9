"""The petitions API's typed shapes (no personal data but the public signer list)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from ninja import Schema
from pydantic import Field

from misto.petitions.models import Status, Topic

Number = Annotated[str, Field(pattern=r"^\d{4}-\d{4,6}$", max_length=12)]


class PetitionFilter(Schema):
    status: Status | None = None
    topic: Topic | None = None
    district: Annotated[str, Field(max_length=64)] | None = None
    q: Annotated[str, Field(max_length=100)] = ""
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    offset: Annotated[int, Field(ge=0, le=1_000_000)] = 0


class PetitionOut(Schema):
    id: int
    number: str | None
    title: str
    topic: str
    status: str
    district: str
    place_label: str
    signature_count: int
    threshold: int | None
    progress: int
    opened_at: datetime | None
    collection_ends: date | None
    answer_due: date | None
    overdue: bool


class PetitionPage(Schema):
    total: int
    items: list[PetitionOut]


class PetitionDetailOut(PetitionOut):
    text: str
    threshold_reached_on: date | None
    answer_deadline: str
    answered_at: datetime | None
    answer_text: str
    answer_document: str | None
    rejected_rule: str | None
    moderation_note: str


class PetitionRuleOut(Schema):
    code: str
    title: str
    text: str


class RulesOut(Schema):
    threshold: int
    collection_days: int
    min_age: int
    sign_level: str
    register_verified_only: bool
    answer_working_days: int
    moderation_rules: list[PetitionRuleOut]


class RecountOut(Schema):
    number: str
    displayed: int
    rows: int
    ledger: int
    ledger_entries: int
    duplicates: list[str]
    unmatched: list[str]
    agrees: bool
    first_index: int | None
    last_index: int | None


class SignerPage(Schema):
    total: int
    names: list[str]


class LedgerRecordOut(Schema):
    index: int
    leaf_hash: str
    time: str
    data: dict[str, object]


class DraftIn(Schema):
    title: Annotated[str, Field(max_length=400)]
    text: Annotated[str, Field(max_length=20_000)]
    topic: Annotated[str, Field(max_length=32)]
    place: Annotated[str, Field(max_length=200)] = ""


class SignatureOut(Schema):
    number: str
    signed: bool
    signer: str | None
    ledger_index: int | None
    signature_count: int


class RejectIn(Schema):
    rule: Annotated[str, Field(max_length=16)]
    note: Annotated[str, Field(max_length=2000)] = ""


class AnnulIn(Schema):
    signers: Annotated[list[Annotated[str, Field(max_length=64)]],
                       Field(min_length=1, max_length=10_000)]
    reason: Annotated[str, Field(max_length=500)]


class AnnulmentOut(Schema):
    id: int
    count: int
    reason: str
    signature_count: int


class ActivityOut(Schema):
    hour: datetime
    signatures: int
