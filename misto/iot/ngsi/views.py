"""NGSI-LD views: thin wrappers over :mod:`misto.iot.ngsi.query` with ProblemDetails errors."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from misto.iot.ngsi import query
from misto.iot.ngsi.query import CORE_CONTEXT, NgsiError


def _respond(request: HttpRequest, data: Any, status: int = 200,
             headers: dict[str, str] | None = None) -> HttpResponse:
    accept = request.headers.get("Accept", "")
    ld = "application/ld+json" in accept
    if ld:
        items = data if isinstance(data, list) else [data]
        for item in items:
            item["@context"] = CORE_CONTEXT
    response = HttpResponse(json.dumps(data, ensure_ascii=False), status=status,
                            content_type="application/ld+json" if ld else "application/json")
    if not ld:
        response["Link"] = (f'<{CORE_CONTEXT}>; rel="http://www.w3.org/ns/json-ld#context"; '
                            'type="application/ld+json"')
    for key, value in (headers or {}).items():
        response[key] = value
    return response


def _problem(error: NgsiError) -> HttpResponse:
    return HttpResponse(json.dumps(error.api_body()), status=error.status,
                        content_type="application/json")


@require_GET
def entities(request: HttpRequest) -> HttpResponse:
    try:
        found, total = query.query_entities(request.GET)
    except NgsiError as error:
        return _problem(error)
    headers = {"NGSILD-Results-Count": str(total)} if request.GET.get("count") == "true" else {}
    return _respond(request, found, headers=headers)


@require_GET
def entity(request: HttpRequest, entity_id: str) -> HttpResponse:
    try:
        return _respond(request, query.get_entity(entity_id, request.GET))
    except NgsiError as error:
        return _problem(error)


@require_GET
def temporal_entity(request: HttpRequest, entity_id: str) -> HttpResponse:
    try:
        return _respond(request, query.temporal_entity(entity_id, request.GET))
    except NgsiError as error:
        return _problem(error)
