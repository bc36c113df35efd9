from __future__ import annotations

import hmac

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from misto.core import bus, services
from misto.core.health import readiness
from misto.core.permissions import can, require
from misto.core.registry import modules


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"modules": modules()})


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    ready, checks = readiness()
    return JsonResponse({"ready": ready, "checks": checks}, status=200 if ready else 503)


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text for the scraper (its token) or staff allowed to read it.

    The figures tell how busy the platform is and which handlers fail: useful to an
    attacker timing an attack, so not public.
    """
    if not (scrape_token_matches(request.headers.get("Authorization", ""))
            or can(request.user, "core.metrics.view")):
        if request.user.is_authenticated:
            return JsonResponse({"error": "forbidden", "detail": "core.metrics.view"},
                                status=403)
        response = JsonResponse({"error": "unauthorized",
                                 "detail": "send Authorization: Bearer <MISTO_METRICS_TOKEN>"},
                                status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(), content_type=CONTENT_TYPE_LATEST)


def scrape_token_matches(authorization: str) -> bool:
    """Whether an ``Authorization`` header carries the configured scrape token.

    No token configured means no scraper is let in (never "an empty token matches"); the
    comparison takes the same time whatever the header holds.
    """
    expected = settings.MISTO_METRICS_TOKEN
    scheme, _space, token = authorization.partition(" ")
    if not expected or scheme.lower() != "bearer" or not token:
        return False
    return hmac.compare_digest(token.strip().encode(), expected.encode())


@login_required
@require_GET
def dead_letters(request: HttpRequest) -> HttpResponse:
    require(request.user, "core.event.view")
    return render(request, "core/dead_letters.html", {
        "summary": services.delivery_summary(),
        "dead": services.dead_letters(request.GET.get("handler") or None)[:200],
    })


@login_required
@require_POST
def replay_dead_letters(request: HttpRequest) -> HttpResponse:
    require(request.user, "core.event.replay")
    ids = [int(v) for v in request.POST.getlist("delivery") if v.isdigit() and len(v) < 19]
    with transaction.atomic():
        count = bus.replay(ids)
    messages.success(request, ngettext(
        "%(count)d delivery queued again.", "%(count)d deliveries queued again.", count
    ) % {"count": count} if count else _("Nothing selected to replay."))
    return redirect("core:dead-letters")
