from typing import Any

from django.conf import settings
from django.http import HttpRequest

from misto.core.registry import menu_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The menu comes from the module registry, filtered by who is looking."""
    return {
        "menu": menu_for(request.user),
        "city_name": settings.MISTO_CITY_NAME,
    }
