"""Typed building blocks for the modules' API schemas.

Database keys are 64-bit: an id outside that range is invalid input (422), not a
database overflow (500). Every module uses these instead of a bare ``int``.
"""

from datetime import UTC, datetime
from typing import Annotated, Any

from ninja import Schema
from ninja.operation import Operation
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


# django-ninja wraps the schema each route declares for each status in a pydantic model of its
# own (``Operation._create_response_model``: a ``NinjaResponseSchema`` whose one field,
# ``response``, has the declared type). With every route declaring its refusals (400, 422 and
# more, all ErrorOut), that was ~1 200 models built one by one: ~0.4 s of CPU in every process
# that loads the URL tree (each command that runs the system checks, each test's child
# interpreter). The wrapper depends on the declared type alone, so the routes share one per
# type (~170); the OpenAPI document is the same. Installed here because the modules' APIs
# import this file (for refusals) before they declare a route.
_response_models: dict[Any, type[Schema] | None] = {}
_ninja_response_model = Operation._create_response_model


def _shared_response_model(self: Operation, response_param: Any) -> type[Schema] | None:
    try:
        return _response_models[response_param]
    except KeyError:
        model = _ninja_response_model(self, response_param)
        _response_models[response_param] = model
        return model
    except TypeError:  # an unhashable declaration: a wrapper of its own, as ninja makes it
        return _ninja_response_model(self, response_param)


Operation._create_response_model = _shared_response_model  # type: ignore[method-assign]
