"""The installable app: its manifest, its one service worker, the offline page, the bottom bar.

One worker at the site root (``/sw.js``, ``Service-Worker-Allowed: /``) controls every page:
it keeps the app shell (CSS, scripts, icons, the offline page) and, network first, the few
pages a resident needs when the network is gone (the shelters list, the latest
announcements, their own cabinet). It also shows Web Push messages, so the notifications
module's old ``/notices/sw.js`` serves this same script (see :func:`service_worker`).

Pages it keeps are named by URL name here and dropped when their module is switched off, so
the worker never precaches a 404. Personal pages live in a separate cache that the page
script empties as soon as a page is rendered for someone signed out (a shared phone must not
show the previous resident's cabinet offline).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from misto.core.icons import BRAND, LAYOUTS, SIZES, icon_name

# The design's colours (static/misto/site.css: --brand and --paper).
THEME_COLOUR = BRAND
BACKGROUND_COLOUR = "#ffffff"

# Files every page needs: cached when the worker installs, refreshed in the background.
SHELL_FILES = ("misto/site.css", "misto/pwa.js", "vendor/htmx.min.js")


@dataclass(frozen=True)
class ResidentAction:
    """One button of the phone's bottom bar; ``icon`` names a symbol in base.html."""

    icon: str
    label: str | Promise
    url_name: str


# The resident's main actions, in the order of the bar. An action whose module is switched
# off does not resolve and is left out.
RESIDENT_ACTIONS = (
    ResidentAction("report", gettext_lazy("Report"), "reports:submit"),
    ResidentAction("map", gettext_lazy("Map"), "twin:map"),
    ResidentAction("notices", gettext_lazy("Notices"), "notifications:index"),
    ResidentAction("cabinet", gettext_lazy("Cabinet"), "residents:cabinet"),
)

# Pages kept for offline use, network first. Public ones are fetched when the worker
# installs; personal ones only when the resident opens them.
OFFLINE_PAGES = ("core:home", "twin:shelters", "notifications:index")
PERSONAL_PAGES = ("residents:cabinet", "notifications:inbox")


def _url(url_name: str) -> str | None:
    """The page's path, or None when its module is switched off."""
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


def _urls(url_names: tuple[str, ...]) -> list[str]:
    return [url for url in map(_url, url_names) if url]


def resident_actions(request: HttpRequest) -> list[dict[str, Any]]:
    """The bottom bar's entries with their URLs; the current one is marked for aria-current."""
    entries = []
    for action in RESIDENT_ACTIONS:
        url = _url(action.url_name)
        if url:
            entries.append({"icon": action.icon, "label": action.label, "url": url,
                            "current": request.path == url})
    return entries


def _app_name() -> tuple[str, str]:
    city = settings.MISTO_CITY_NAME
    if city:
        return _("%(city)s — city services") % {"city": city}, str(city)
    return _("Misto — your city in one place"), _("Misto")


def _icons() -> list[dict[str, str]]:
    return [
        {"src": static(f"misto/icons/{icon_name(purpose, size)}"), "sizes": f"{size}x{size}",
         "type": "image/png", "purpose": purpose}
        for purpose in LAYOUTS for size in SIZES
    ]


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    """The Web App Manifest, in the language of the request (Ukrainian by default)."""
    name, short_name = _app_name()
    shortcuts = [{"name": str(entry["label"]), "url": entry["url"]}
                 for entry in resident_actions(request)]
    body = {
        "id": "/",
        "name": name,
        "short_name": short_name,
        "description": _("Report a problem, follow it, get notified about outages, find a "
                         "shelter."),
        "lang": get_language() or settings.LANGUAGE_CODE,
        "dir": "ltr",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": _icons(),
        "shortcuts": shortcuts,
    }
    response = JsonResponse(body, content_type="application/manifest+json",
                            json_dumps_params={"ensure_ascii": False})
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response


@lru_cache(maxsize=1)
def _shell_fingerprint() -> str:
    """A digest of the shell files' contents: a new version of any of them gives the worker
    a new cache name, so the old shell is dropped on the next visit."""
    digest = hashlib.sha256()
    for name in SHELL_FILES:
        found = finders.find(name)
        if isinstance(found, str):
            with open(found, "rb") as handle:
                digest.update(handle.read())
    return digest.hexdigest()[:12]


def worker_config() -> dict[str, Any]:
    # A shell file that is not built (the vendored scripts come from npm) would make the
    # whole install fail, so only files that exist are listed.
    shell = [static(name) for name in SHELL_FILES if finders.find(name)]
    shell += [icon["src"] for icon in _icons()]
    offline_url = reverse("core:offline")
    config = {
        "shell": [*shell, offline_url],
        "offline": offline_url,
        "pages": _urls(OFFLINE_PAGES),
        "personal": _urls(PERSONAL_PAGES),
        "static": settings.STATIC_URL,
        "icon": static("misto/icons/icon-192.png"),
        # Where a push message without its own link opens.
        "default_url": _url("notifications:index") or "/",
    }
    seed = json.dumps(config, sort_keys=True) + _shell_fingerprint()
    config["version"] = hashlib.sha256(seed.encode()).hexdigest()[:12]
    return config


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The site's one service worker: offline pages, the app shell and Web Push.

    Served with ``Service-Worker-Allowed: /`` so that it may control the whole site even
    when registered from an older path (``/notices/sw.js``), and never cached by the HTTP
    cache, so that a new release reaches the browser on its next update check.
    """
    script = render_to_string("core/sw.js", {
        "config": json.dumps(worker_config(), ensure_ascii=False),
    })
    response = HttpResponse(script, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    add_never_cache_headers(response)
    return response


@lru_cache(maxsize=1)
def _favicon() -> bytes:
    """The app icon as a Windows icon (16, 32 and 48 px, drawn from the 192 px PWA icon):
    what browsers, feed readers and bookmarks fetch from ``/favicon.ico`` without asking
    the page."""
    from io import BytesIO

    from PIL import Image

    found = finders.find(f"misto/icons/{icon_name('any', 192)}")
    assert isinstance(found, str), "the PWA icons are part of the core's static files"
    icon = BytesIO()
    with Image.open(found) as image:
        image.convert("RGBA").save(icon, format="ICO", sizes=[(16, 16), (32, 32), (48, 48)])
    return icon.getvalue()


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """``/favicon.ico``: asked for on every first visit, so it answers, and is cached a day."""
    response = HttpResponse(_favicon(), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """What the worker shows for a page it has not kept: where to go while offline."""
    candidates = (("twin:shelters", _("Shelters")),
                  ("notifications:index", _("Announcements and outages")),
                  ("residents:cabinet", _("My cabinet")))
    links = [(url, label) for url, label in
             ((_url(name), label) for name, label in candidates) if url]
    return render(request, "core/offline.html", {"links": links})
