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

from django.utils.module_loading import import_string
from ninja import NinjaAPI

from misto.core.apierrors import add_error_handlers
from misto.core.registry import modules


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
