"""Open311 output in JSON or XML, and the spec's error format."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from xml.etree import ElementTree

from django.http import HttpResponse

from misto.core.errors import MistoError, open311_errors
from misto.reports.errors import ReportError, ReportErrors

FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# The XML element of one item of a list, by the list's element name.
ITEM = {"services": "service", "attributes": "attribute", "values": "value",
        "endpoints": "endpoint", "formats": "format", "service_requests": "request",
        "errors": "error"}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _fill(element: ElementTree.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(ElementTree.SubElement(element, key), item)
    elif isinstance(value, list | tuple):
        name = ITEM.get(element.tag, "item")
        for item in value:
            _fill(ElementTree.SubElement(element, name), item)
    else:
        element.text = _text(value)


def to_xml(root: str, data: Any) -> bytes:
    element = ElementTree.Element(root)
    _fill(element, data)
    body = ElementTree.tostring(element, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body).encode()


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def render(data: Any, fmt: str, root: str, status: int = 200) -> HttpResponse:
    """``data`` as JSON, or as XML under the element ``root``."""
    if fmt == "xml":
        return HttpResponse(to_xml(root, data), content_type=FORMATS["xml"], status=status)
    body = json.dumps(data, ensure_ascii=False, default=_json_default)
    return HttpResponse(body.encode(), content_type=FORMATS["json"], status=status)


# The statuses the spec's error answers use; any other refusal (a busy photo decoder's 503)
# answers 400, as GeoReport v2 clients know no other.
SPEC_STATUSES = (400, 403, 404, 429)


def error_response(error: MistoError, fmt: str) -> HttpResponse:
    """The spec's error format from the error's code: a list of ``{code, description}``
    (one per problem found), with the refusal's headers (``Retry-After`` on a 429)."""
    status = error.status if error.status in SPEC_STATUSES else 400
    found = error.errors if isinstance(error, ReportErrors) else [error]
    items = [item for part in found for item in
             open311_errors(ReportError(part.code, part.message, status=status))]
    response = render(items, fmt if fmt in FORMATS else "json", "errors", status=status)
    for name, value in error.headers().items():
        response[name] = value
    return response
