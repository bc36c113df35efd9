"""Open311 output in JSON or XML, and the spec's error format."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from xml.etree import ElementTree

from django.http import HttpResponse

from misto.core.ratelimit import RateLimited, with_retry_after
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
    import json

    body = json.dumps(data, ensure_ascii=False, default=_json_default)
    return HttpResponse(body.encode(), content_type=FORMATS["json"], status=status)


def error_response(error: ReportError, fmt: str) -> HttpResponse:
    """The spec's error format: a list of ``{code, description}``, HTTP 400/403/404."""
    found = error.errors if isinstance(error, ReportErrors) else [error]
    status = error.status if error.status in (400, 403, 404) else 400
    items = [{"code": status, "description": item.message} for item in found]
    return render(items, fmt if fmt in FORMATS else "json", "errors", status=status)


def rate_limited_response(error: RateLimited, fmt: str) -> HttpResponse:
    """A rate-limit refusal in the spec's error shape, HTTP 429 with ``Retry-After``."""
    items = [{"code": 429, "description": error.reason}]
    return with_retry_after(render(items, fmt if fmt in FORMATS else "json", "errors"), error)
