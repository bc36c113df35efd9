"""The one HTTP API of the platform, assembled from the module registry.

Each module contributes a django-ninja Router (``MistoModule.api_router``), mounted at
``/api/<prefix>/``. Validation errors come back as 422 with the reasons, bad JSON as 400,
so no malformed request reaches a handler as a 500. A module's refusal (a
:class:`~misto.core.errors.MistoError` raised anywhere below a handler) becomes its status and
``error.api_body()`` here, once, so handlers hold no try/except of their own; Django Ninja's
own refusals (not signed in, a failed CSRF check, a 404) answer in the same body, so every
error a route declares is :class:`misto.core.schemas.ErrorOut`.
"""

from __future__ import annotations

from typing import Any

from django.utils.module_loading import import_string
from django.utils.translation import get_language
from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

from misto.core.apierrors import add_error_handlers
from misto.core.registry import modules


class MistoAPI(NinjaAPI):
    """Django Ninja's API with its OpenAPI document built once per process and language.

    Ninja builds the document on every request for it: over 200 operations of every module,
    about 0.6 s of CPU, which any anonymous client could ask for again and again. The routes
    are fixed once the URL tree is loaded, so the document is too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._openapi_documents: dict[tuple[str, str | None], OpenAPISchema] = {}

    def get_openapi_schema(self, *, path_prefix: str | None = None,
                           path_params: dict[str, Any] | None = None) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        key = (path_prefix, get_language())
        document = self._openapi_documents.get(key)
        if document is None:
            document = super().get_openapi_schema(path_prefix=path_prefix)
            self._openapi_documents[key] = document
        return document


def build_api() -> NinjaAPI:
    api = MistoAPI(
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
