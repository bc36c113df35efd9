"""Verification levels of a sign-in, and the one gate every action declares its level with.

- ``basic``: signed in by a one-time code sent by e-mail or SMS (we know a contact);
  enough to report, follow, subscribe and write appeals.
- ``verified``: signed in through an OpenID Connect provider (BankID, Diia, the city's
  own) or with a password the city issued (+ TOTP for staff); needed to sign petitions,
  vote, read one's register record.
- a passkey signs in at the level of the session that registered it.

The level belongs to the session (``request.session[SESSION_KEY]``), set by :func:`sign_in`.
A session from before levels existed came from a password or a provider, so it counts as
verified. An action declares what it needs with :func:`level_required`; a resident below
it is sent to the sign-in page to raise it and comes back to ``next``
(:func:`require_level` is the same check for code that is not a whole view).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from misto.residents.auth import BACKEND

BASIC = "basic"
VERIFIED = "verified"
RANK = {BASIC: 1, VERIFIED: 2}
SESSION_KEY = "_misto_level"


def level_of(request: HttpRequest) -> str | None:
    """The level of the current sign-in; None for an anonymous visitor."""
    if not request.user.is_authenticated:
        return None
    return str(request.session.get(SESSION_KEY, VERIFIED))


def has_level(request: HttpRequest, level: str) -> bool:
    current = level_of(request)
    return current is not None and RANK.get(current, 0) >= RANK[level]


def sign_in(request: HttpRequest, user: Any, *, method: str, level: str) -> None:
    """Log ``user`` in, remembering how (the cabinet's session list) and at which level."""
    if level not in RANK:
        raise ValueError(f"unknown level {level!r}")
    request.session["_misto_method"] = method
    login(request, user, backend=BACKEND)
    request.session[SESSION_KEY] = level


def raise_level_url(level: str, next_url: str) -> str:
    return reverse("residents:signin") + "?" + urlencode({"level": level, "next": next_url})


def require_level(request: HttpRequest, level: str) -> HttpResponse | None:
    """None when the sign-in reaches ``level``; else the redirect that raises it and returns.

    For code that is not a plain view (a view doing it midway, an htmx fragment); views
    use :func:`level_required`. A GET comes back to itself, a POST to the page it was sent
    from (its form is then shown again).
    """
    if level not in RANK:
        raise ValueError(f"unknown level {level!r}")
    if has_level(request, level):
        return None
    target = request.get_full_path() if request.method == "GET" else (
        request.headers.get("referer") or reverse("residents:cabinet"))
    return redirect(raise_level_url(level, target))


def level_required(level: str) -> Callable[[Callable[..., HttpResponse]],
                                           Callable[..., HttpResponse]]:
    """Decorate a view that needs at least ``level`` (:func:`require_level`).

    Also stands in for ``login_required``: an anonymous visitor is led the same way.
    """
    if level not in RANK:
        raise ValueError(f"unknown level {level!r}")

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def gated(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            return require_level(request, level) or view(request, *args, **kwargs)

        return gated

    return decorate
