"""Request hygiene shared by every page and API."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.http import HttpRequest, HttpResponse, JsonResponse

TEXT_BODIES = ("application/json", "application/x-www-form-urlencoded", "text/")


class RejectNulBytesMiddleware:
    """Answer 400 to a NUL byte in the path, query or a text body.

    No text field of the platform may hold one and PostgreSQL refuses them outright, so
    letting one through would turn bad input into a server error deep in some module.
    Binary uploads (multipart) are not inspected: files may contain NUL bytes.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._has_nul(request):
            return JsonResponse(
                {"error": "invalid request", "detail": "NUL bytes are not allowed"}, status=400
            )
        return self.get_response(request)

    @staticmethod
    def _has_nul(request: HttpRequest) -> bool:
        if "\x00" in request.path:
            return True
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in query or b"\x00" in unquote_to_bytes(query):
            return True
        content_type = request.META.get("CONTENT_TYPE", "")
        if request.method in {"POST", "PUT", "PATCH"} and content_type.startswith(TEXT_BODIES):
            body = request.body
            if b"\x00" in body or b"\\u0000" in body:
                return True
            if content_type.startswith("application/x-www-form-urlencoded"):
                return b"\x00" in unquote_to_bytes(body)
        return False
