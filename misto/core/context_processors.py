from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import resolve_url

from misto.core.registry import menu_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The menu comes from the module registry, filtered by who is looking."""
    return {
        "menu": menu_for(request.user),
        "city_name": settings.MISTO_CITY_NAME,
        # The sign-in page is the residents module's (identity providers, staff TOTP).
        "login_url": resolve_url(settings.LOGIN_URL),
    }
