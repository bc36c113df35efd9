"""The one HTTP API of the platform, assembled from the module registry.

Each module contributes a django-ninja Router (``MistoModule.api_router``), mounted at
``/api/<prefix>/``. Validation errors come back as 422 with the reasons, bad JSON as 400,
so no malformed request reaches a handler as a 500. A module's refusal (a
:class:`~misto.core.errors.MistoError` raised anywhere below a handler) becomes its status and
``error.api_body()`` here, once, so handlers hold no try/except of their own.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.module_loading import import_string
from ninja import NinjaAPI
from ninja.errors import ValidationError

from misto.core.errors import MistoError
from misto.core.registry import modules


def add_error_handlers(api: NinjaAPI) -> None:
    """How ``api`` answers a request it refuses; one place, so every module answers alike."""

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return api.create_response(
            request, {"error": "invalid request", "detail": exc.errors}, status=422
        )

    @api.exception_handler(MistoError)
    def refused(request: HttpRequest, exc: MistoError) -> HttpResponse:
        response = api.create_response(request, exc.api_body(), status=exc.status)
        for name, value in exc.headers().items():
            response[name] = value
        return response


def build_api() -> NinjaAPI:
    api = NinjaAPI(
        title="Misto API",
        version="1",
        description="The HTTP API of the Misto smart-city platform. Standards-based APIs "
        "(Open311, NGSI-LD, ...) live at their own paths.",
        urls_namespace="api",
        openapi_url="/openapi.json",
        docs_url="/docs",
    )

    add_error_handlers(api)
    for config in modules():
        if config.api_router:
            api.add_router(f"/{config.api_prefix or config.label}/",
                           import_string(config.api_router))
    return api
