"""The e-reception API's typed shapes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from ninja import Schema
from pydantic import Field

from misto.appeals.models import Kind, Status

Number = Annotated[str, Field(pattern=r"^\d{4}-\d{6}$", max_length=12)]


class ReceptionOut(Schema):
    code: str
    kind: str
    title: str
    official: str


class AppealMessageOut(Schema):
    direction: str
    kind: str
    text: str
    attachment: str | None
    created_at: datetime


class AppealOut(Schema):
    number: str
    kind: str
    channel: str
    reception: str
    subject: str
    status: str
    received_on: date
    term_days: int
    due: date
    deadline: str
    extension_reason: str
    overdue: bool
    privileged: bool
    answered_at: datetime | None


class AppealThreadOut(AppealOut):
    messages: list[AppealMessageOut]


class AppealIn(Schema):
    reception: Annotated[str, Field(max_length=50)]
    kind: Kind
    subject: Annotated[str, Field(max_length=400)]
    text: Annotated[str, Field(max_length=40_000)]


class RegisterIn(AppealIn):
    channel: Annotated[str, Field(pattern="^(phone|paper)$")]
    contact: Annotated[str, Field(max_length=500)]
    received_on: date | None = None


class TextIn(Schema):
    text: Annotated[str, Field(max_length=40_000)]


class AppealAssignIn(Schema):
    executor: Annotated[str, Field(max_length=150)]
    term_days: Annotated[int, Field(ge=1, le=45)] = 30


class ExtendIn(Schema):
    total_days: Annotated[int, Field(ge=1, le=365)]
    reason: Annotated[str, Field(max_length=2000)]


class QueueFilter(Schema):
    status: Status | None = None
    department: Annotated[str, Field(max_length=64)] | None = None
    limit: Annotated[int, Field(ge=1, le=500)] = 100
    offset: Annotated[int, Field(ge=0, le=1_000_000)] = 0


class StatsOut(Schema):
    reception: str
    title: str
    received: int
    answered: int
    on_time: int
    overdue_open: int
    average_days: float | None
