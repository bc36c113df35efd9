"""Typed building blocks for the modules' API schemas.

Database keys are 64-bit: an id outside that range is invalid input (422), not a
database overflow (500). Every module uses these instead of a bare ``int``.
"""

from datetime import UTC, datetime
from typing import Annotated, Any

from ninja import Schema
from pydantic import AfterValidator, ConfigDict, Field


def _in_utc(value: datetime) -> datetime:
    """An instant as UTC: ISO 8601 allows offsets (+16:00) that PostgreSQL refuses to store."""
    return value.astimezone(UTC) if value.tzinfo is not None else value


# A date-time a client sends (a deadline, a closing time): stored as the same instant in UTC.
Instant = Annotated[datetime, AfterValidator(_in_utc)]
DbId = Annotated[int, Field(ge=1, le=2**63 - 1)]
Limit = Annotated[int, Field(ge=1, le=1000)]


class ErrorOut(Schema):
    """The API's refusal body (``MistoError.api_body`` and the 422 of invalid input).

    ``detail`` is a sentence for people, or for 422 the list of what was wrong with the input;
    a module whose published body adds fields (a form's per-field errors) keeps them.
    """

    model_config = ConfigDict(extra="allow")

    error: str
    detail: Any = None


def refusals(*statuses: int) -> dict[int, type[ErrorOut]]:
    """The error answers a route declares beside its success schema, e.g.
    ``response={200: ReportOut, **refusals(401, 404)}``. 400 (a body that is not JSON, a NUL
    byte anywhere in the request) and 422 (input that fails the schema) can answer any route,
    so they are always there."""
    return {status: ErrorOut for status in (400, *statuses, 422)}
