"""Rate limits for anonymous and machine writes: one helper for every module.

Why a limit at all: a form that anyone may post (a report, a code request, an Open311 POST
with a key handed to an app) can otherwise be flooded, filling the clerks' queues and the
disk. Each limit is a *scope* (``"reports.submit"``) with a rate (``"20/10m"``: at most 20
hits per 10 minutes) per *identity* (the client's address, an API key...). Rates come from
``settings.MISTO_RATE_LIMITS`` (defaults in settings, overridden by the environment variable
of the same name; docs/configuration.md), so an operator tunes them without code.

Counting uses Django's cache (Redis when ``REDIS_URL`` is set, so every web process shares
the counters; a per-process memory cache otherwise) with fixed windows: one counter per
scope, identity and window, created with ``add`` and raised with the atomic ``incr``.

Use it as a decorator on a view or a django-ninja handler (:func:`ratelimit`), or call
:func:`check` inside a handler when the identity is only known after parsing (an API key in
a POST body). A refusal is :class:`RateLimited`; the decorator answers it with HTTP 429, a
``Retry-After`` header and a reason in the audience's format (:func:`html_response` for
pages, :func:`json_response` for the JSON API, or the caller's own, e.g. Open311's).
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from misto.core.config import env_int, structured
from misto.core.errors import CoreCode, MistoError

RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
OFF = {"", "0", "off", "none"}

View = TypeVar("View", bound=Callable[..., Any])
Responder = Callable[[HttpRequest, "RateLimited"], HttpResponse]
Identity = Callable[[HttpRequest], str]


@dataclass(frozen=True)
class Rate:
    """At most ``count`` hits per ``seconds``."""

    count: int
    seconds: int


class RateLimited(MistoError):
    """Too many hits in a scope: ``retry_after`` whole seconds until the window ends."""

    status = 429

    def __init__(self, scope: str, retry_after: int) -> None:
        self.scope = scope
        self.retry_after = max(1, retry_after)
        super().__init__(CoreCode.RATE_LIMITED, self.reason)

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}

    @property
    def reason(self) -> str:
        return _("Too many requests from you in a short time. Please try again in "
                 "%(seconds)d seconds.") % {"seconds": self.retry_after}


def parse_rate(text: str) -> Rate | None:
    """``"20/10m"`` -> Rate(20, 600); ``"5/h"`` -> Rate(5, 3600); "off" or "0" -> None."""
    if text.strip().lower() in OFF:
        return None
    match = RATE.match(text)
    if match is None:
        raise ImproperlyConfigured(
            f"A rate limit must look like 20/10m (count/[n]unit, unit s, m, h or d); "
            f"got {text!r}.")
    count, times, unit = match.groups()
    rate = Rate(int(count), int(times or 1) * UNIT_SECONDS[unit])
    return rate if rate.count > 0 and rate.seconds > 0 else None


def rate_for(scope: str) -> Rate | None:
    """The configured rate of ``scope``; a scope nobody configured is a mistake."""
    rates: dict[str, str] = structured("MISTO_RATE_LIMITS") or {}
    if scope not in rates:
        raise ImproperlyConfigured(f"MISTO_RATE_LIMITS has no rate for {scope!r}.")
    return parse_rate(rates[scope])


def client_address(request: HttpRequest) -> str:
    """The client's address, as a network for IPv6 (one /64 is one subscriber).

    Behind ``MISTO_PROXY_COUNT`` reverse proxies the address is taken from
    ``X-Forwarded-For`` that many hops from the right (what our own proxies appended);
    anything further left is the client's to forge, so it is never trusted.
    """
    address = str(request.META.get("REMOTE_ADDR") or "")
    proxies = env_int("MISTO_PROXY_COUNT", 0, minimum=0)
    if proxies > 0:
        hops = [hop.strip() for hop in
                str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",") if hop.strip()]
        if len(hops) >= proxies:
            address = hops[-proxies]
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def check(scope: str, identity: str) -> None:
    """Count one hit of ``identity`` in ``scope``; raise :class:`RateLimited` when over."""
    rate = rate_for(scope)
    if rate is None:
        return
    now = time.time()
    window = math.floor(now / rate.seconds)
    digest = hashlib.sha256(identity.encode()).hexdigest()[:32]  # no address in the cache
    key = f"misto:ratelimit:{scope}:{digest}:{window}"
    cache.add(key, 0, timeout=rate.seconds + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # the counter expired between add and incr: this hit starts anew
        cache.add(key, 1, timeout=rate.seconds + 1)
        count = 1
    if count > rate.count:
        raise RateLimited(scope, math.ceil((window + 1) * rate.seconds - now))


def with_retry_after(response: HttpResponse, error: RateLimited) -> HttpResponse:
    """``response`` answered with the refusal's status and headers (429, Retry-After)."""
    response.status_code = error.status
    for name, value in error.headers().items():
        response[name] = value
    return response


def html_response(request: HttpRequest, error: RateLimited) -> HttpResponse:
    """A page in the site's layout saying why and for how long."""
    return with_retry_after(render(request, "core/rate_limited.html",
                                   {"reason": error.reason}, status=429), error)


def json_response(request: HttpRequest, error: RateLimited) -> HttpResponse:
    """The JSON API's error shape: ``{"error": "rate_limited", "detail": ...}``."""
    return with_retry_after(JsonResponse(error.api_body(), status=error.status), error)


def ratelimit(scope: str, *, identity: Identity = client_address,
              methods: tuple[str, ...] = ("POST",),
              respond: Responder = html_response) -> Callable[[View], View]:
    """Limit a view or a django-ninja handler (whose first argument is the request).

    Only ``methods`` count (reading the form is free); ``identity`` picks who is counted
    (the client's address by default); ``respond`` shapes the 429.
    """

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if request.method in methods:
                try:
                    check(scope, identity(request))
                except RateLimited as error:
                    return respond(request, error)
            return view(request, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate
