"""NGSI-LD at ``/ngsi-ld/v1/``: its own small API (the standard's paths, its error body).

Thin over :mod:`misto.iot.ngsi.query`: the answer is JSON with the core context in a
``Link`` header, or JSON-LD with ``@context`` inside when the client asks for
``application/ld+json``. Refusals are ProblemDetails (``NgsiError.api_body``) through the
site's one exception handler; invalid parameters, which the rest of the site answers with
422, are NGSI-LD's ``BadRequestData`` (400) here.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import register_converter
from ninja import NinjaAPI, Query
from ninja.errors import ValidationError

from misto.core.apierrors import add_error_handlers
from misto.iot.ngsi import query
from misto.iot.ngsi.query import CORE_CONTEXT, NgsiCode, NgsiError
from misto.iot.ngsi.schemas import (
    BadRequest,
    EntitiesQuery,
    Entity,
    EntityQuery,
    ProblemDetails,
    TemporalQuery,
)

api = NinjaAPI(
    title="Misto NGSI-LD", version="1", urls_namespace="ngsi",
    description="NGSI-LD (ETSI GS CIM 009) subset over the city's public devices, with "
    "FIWARE Smart Data Models types.", openapi_url="/openapi.json", docs_url=None,
)
add_error_handlers(api)


class EntityIdConverter:
    """The rest of the path, line breaks included: Django's ``path`` converter stops at
    them, and the site's HTML 404 would then answer instead of NGSI-LD's ProblemDetails."""

    regex = r"[\s\S]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(EntityIdConverter, "ngsi_id")


@api.exception_handler(ValidationError)
def bad_request_data(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """A parameter of the wrong type or out of range is NGSI-LD's BadRequestData."""
    reasons = "; ".join(f"{'.'.join(str(p) for p in error.get('loc', ())[1:])}: "
                        f"{error.get('msg', '')}" for error in exc.errors)
    error = NgsiError(NgsiCode.BAD_REQUEST_DATA, reasons or "invalid request")
    return api.create_response(request, error.api_body(), status=error.status)


def _respond(request: HttpRequest, data: Any, headers: dict[str, str] | None = None
             ) -> HttpResponse:
    ld = "application/ld+json" in request.headers.get("Accept", "")
    if ld:
        for item in data if isinstance(data, list) else [data]:
            item["@context"] = CORE_CONTEXT
    response = HttpResponse(json.dumps(data, ensure_ascii=False),
                            content_type="application/ld+json" if ld else "application/json")
    if not ld:
        response["Link"] = (f'<{CORE_CONTEXT}>; rel="http://www.w3.org/ns/json-ld#context"; '
                            'type="application/ld+json"')
    for key, value in (headers or {}).items():
        response[key] = value
    return response


@api.get("/entities", response={200: list[Entity], 400: BadRequest, 422: ProblemDetails},
         url_name="entities")
def entities(request: HttpRequest, params: Query[EntitiesQuery]) -> HttpResponse:
    """Entities by ``type``, ``id``, ``idPattern``, ``q``, ``attrs`` or ``georel`` near a
    point; ``count=true`` answers the total in ``NGSILD-Results-Count``."""
    found, total = query.query_entities(params)
    headers = {"NGSILD-Results-Count": str(total)} if params.count else {}
    return _respond(request, found, headers)


@api.get("/entities/{ngsi_id:entity_id}",
         response={200: Entity, 400: BadRequest, 404: ProblemDetails}, url_name="entity")
def entity(request: HttpRequest, entity_id: str, params: Query[EntityQuery]) -> HttpResponse:
    return _respond(request, query.get_entity(entity_id, params))


@api.get("/temporal/entities/{ngsi_id:entity_id}",
         response={200: Entity, 400: BadRequest, 404: ProblemDetails}, url_name="temporal")
def temporal_entity(request: HttpRequest, entity_id: str,
                    params: Query[TemporalQuery]) -> HttpResponse:
    """The entity's attributes as instances over time (``temporalValues``: value pairs)."""
    return _respond(request, query.temporal_entity(entity_id, params))
