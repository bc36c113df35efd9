"""How every Django Ninja API of Misto answers a request it refuses, in one place.

The site's API (``misto/api.py``) and a module's own standard API (NGSI-LD, the LoRaWAN
webhooks) install the same handlers, so a module never imports the site's API module: a
:class:`~misto.core.errors.MistoError` raised anywhere below a handler becomes its status and
``error.api_body()``; Django Ninja's own refusals (not signed in, a failed CSRF check, a 404)
and ``PermissionDenied`` answer in the same body, so every error a route declares is
:class:`misto.core.schemas.ErrorOut`; invalid input is 422 with the reasons.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from misto.core.errors import CoreCode, MistoError


def add_error_handlers(api: NinjaAPI) -> None:
    """How ``api`` answers a request it refuses; one place, so every module answers alike."""

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return api.create_response(
            request, {"error": "invalid request", "detail": exc.errors}, status=422
        )

    @api.exception_handler(AuthenticationError)
    def not_signed_in(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return api.create_response(
            request, {"error": CoreCode.NOT_SIGNED_IN, "detail": _("Sign in first.")},
            status=401)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        """Django Ninja's own refusals (a failed CSRF check is a 403) in the same body."""
        code = {403: CoreCode.FORBIDDEN, 404: CoreCode.NOT_FOUND,
                429: CoreCode.RATE_LIMITED}.get(exc.status_code, CoreCode.INVALID)
        return api.create_response(request, {"error": code, "detail": str(exc)},
                                   status=exc.status_code)

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        """``misto.core.permissions.require`` refused (the action on a visible object)."""
        return api.create_response(
            request, {"error": CoreCode.FORBIDDEN,
                      "detail": _("You may not do this (%(action)s).") % {"action": exc}},
            status=403)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(
            request, {"error": CoreCode.NOT_FOUND, "detail": _("Not found.")}, status=404)

    @api.exception_handler(MistoError)
    def refused(request: HttpRequest, exc: MistoError) -> HttpResponse:
        response = api.create_response(request, exc.api_body(), status=exc.status)
        for name, value in exc.headers().items():
            response[name] = value
        return response
