"""Request hygiene shared by every page and API."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_to_bytes

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.datastructures import MultiValueDict

from misto.core.registry import raw_body_paths

MULTIPART = "multipart/form-data"
URLENCODED = "application/x-www-form-urlencoded"
TEXT_BODIES = ("application/json", URLENCODED, "text/")
# The JSON escape of NUL, unless its backslash is itself escaped ("\\u0000" is text).
ESCAPED_NUL = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")
REFUSED = "_misto_nul_refused"


def holds_nul(text: str) -> bool:
    """Whether ``text`` holds a NUL, raw or as the JSON escape a parser turns into one."""
    return "\x00" in text or ESCAPED_NUL.search(text) is not None


class NulInForm(MultiPartParserError):
    """A multipart field's name or value holds a NUL (a malformed body: Django's 400)."""


class RejectNulBytesMiddleware:
    """Answer 400 to a NUL in the path, the query, a body or a multipart form field.

    No text field of the platform may hold one and PostgreSQL refuses them outright, so
    letting one through would turn bad input into a server error deep in some module (and
    on SpatiaLite, into stored garbage). Every body is inspected whatever its declared type,
    because the API parses any body as JSON; binary data comes as multipart file parts,
    whose contents may hold NUL bytes and are never read here (Django's parser already drops
    non-printable characters from file names).

    A multipart body is not parsed here: that would either keep large uploads in memory or
    consume the stream that a view reading the raw body needs. Its fields are checked when
    Django parses them, for whoever reads ``request.POST`` or ``request.FILES`` first (the
    CSRF check, the view, the API), so uploads are read once.

    Devices' binary payloads (``MistoModule.raw_body_paths``: the IoT intake and LoRaWAN
    webhooks, any body that is not JSON, a form or text) are left to their module's
    decoder, which dead-letters an unreadable one for the operators to see instead of
    losing it in a 400; a textual one with a NUL is refused like any other.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._has_nul(request):
            return self._refusal()
        if request.content_type == MULTIPART:
            _check_fields_when_parsed(request)
        response = self.get_response(request)
        # The parse raised NulInForm inside the view or the CSRF check; Django turned it
        # into its bare 400 page: answer with the reason instead.
        return self._refusal() if getattr(request, REFUSED, False) else response

    @staticmethod
    def _refusal() -> JsonResponse:
        return JsonResponse(
            {"error": "invalid request", "detail": "NUL bytes are not allowed"}, status=400
        )

    @staticmethod
    def _has_nul(request: HttpRequest) -> bool:
        if holds_nul(request.path):
            return True
        query = request.META.get("QUERY_STRING", "")
        if holds_nul(unquote_to_bytes(query).decode("latin-1")):
            return True
        if request.content_type == MULTIPART:
            return False
        if (request.path.startswith(raw_body_paths())
                and not (request.content_type or "").startswith(TEXT_BODIES)):
            return False  # a device's binary payload: its module's decoder judges it
        body = request.body  # bounded by DATA_UPLOAD_MAX_MEMORY_SIZE (else 400)
        if request.content_type == URLENCODED:
            body = unquote_to_bytes(body)
        return holds_nul(body.decode("latin-1"))  # latin-1: every byte is one character


def _check_fields_when_parsed(request: HttpRequest) -> None:
    """Make Django's multipart parse of this request refuse a NUL in a field."""
    parse = request.parse_file_upload

    def parse_and_check(meta: Any, data: Any) -> tuple[Any, MultiValueDict[str, Any]]:
        fields, files = parse(meta, data)
        if any(holds_nul(name) or any(holds_nul(value) for value in values)
               for name, values in fields.lists()) or any(holds_nul(name) for name in files):
            setattr(request, REFUSED, True)
            raise NulInForm("NUL bytes are not allowed")
        return fields, files

    setattr(request, "parse_file_upload", parse_and_check)  # noqa: B010 (mypy: a method)
