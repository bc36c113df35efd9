from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.templatetags.static import static
from django.utils.functional import SimpleLazyObject

from misto.core.permissions import roles_of
from misto.core.pwa import resident_actions
from misto.core.registry import banners_for, is_enabled, menu_for, navigation_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The page frame: the menu and the site-wide banners come from the module registry,
    filtered by who is looking."""
    return {
        "menu": menu_for(request.user),
        # The same entries as the header shows them: a staff member's own work first.
        "navigation": navigation_for(request.user),
        "city_name": settings.MISTO_CITY_NAME,
        # The sign-in page is the residents module's (identity providers, staff TOTP).
        "login_url": resolve_url(settings.LOGIN_URL),
        # Lazy: asked once, and only by a page that renders the frame (not by e-mails).
        "site_banners": SimpleLazyObject(lambda: banners_for(request)),
        # The phone's bottom bar: the resident's main actions.
        "resident_actions": resident_actions(request),
        # The offer to install the app and hear of one's reports and outages is a resident's:
        # a staff member at work is not offered it after each action of theirs.
        "offer_app": SimpleLazyObject(lambda: not roles_of(request.user)),
        # Web Push belongs to the notifications module; its script offers it on every page
        # (after a first action) only when the module is on.
        "push_script": static("notifications/push.js") if is_enabled("notifications") else None,
    }
