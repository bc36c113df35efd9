"""Parking pages: thin, they call ``services`` and render (phone first).

The map is public; starting, stopping and paying are the signed-in driver's own. A refusal
(a bad plate, a closed lot, a refused payment) is a message on the same page, and the form
keeps what was typed.
"""

from __future__ import annotations

import uuid
from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from misto.core.errors import MistoError
from misto.core.http import see_other
from misto.core.i18n import localized
from misto.core.permissions import require
from misto.core.registry import CabinetPanel, PanelOrder
from misto.parking import plates, services
from misto.parking.models import Session, Zone
from misto.parking.permissions import STATS_VIEW

TILES = "/api/twin/tiles/{z}/{x}/{y}.mvt"


def _map_config(lots: list[services.LotNow]) -> dict[str, object]:
    return {"tiles": TILES, "near": "/api/parking/lots/near",
            "lots": [{"code": now.lot.code, "name": localized(now.lot, "name"),
                      "lon": now.lot.point.x, "lat": now.lot.point.y, "free": now.free,
                      "places": now.places, "state": now.state,
                      "area": now.lot.area.coords} for now in lots]}


@require_GET
def parking_map(request: HttpRequest) -> HttpResponse:
    lots = services.with_free()
    running = (services.sessions_of(request.user).filter(stopped_at__isnull=True).first()
               if request.user.is_authenticated else None)
    return render(request, "parking/map.html", {
        "lots": lots, "map_config": _map_config(lots), "running": running,
        "zones": Zone.objects.prefetch_related("tariffs"),
        "form": {"plate": request.GET.get("plate", ""), "lot": request.GET.get("lot", "")},
        "free_total": sum(now.free for now in lots)})


@login_required
@require_POST
def start(request: HttpRequest) -> HttpResponse:
    plate, lot_code = request.POST.get("plate", ""), request.POST.get("lot", "")
    try:
        lot = services.access_lot(lot_code)
        session = services.do_start(services.check_start(
            request.user, plate, lot, zone_code=request.POST.get("zone", ""),
            place_number=request.POST.get("place", "")))
    except MistoError as error:
        messages.error(request, error.message)
        query = urlencode({"plate": plate[:20], "lot": lot_code[:20]})
        return see_other(f"{reverse('parking:map')}?{query}#start")
    messages.success(request, _("Parking started in lot %(lot)s.") % {"lot": lot.code})
    return see_other(reverse("parking:session", args=[session.public_id]))


def _own(request: HttpRequest, session_id: uuid.UUID) -> Session:
    try:
        return services.access_session(request.user, session_id)
    except MistoError:
        raise Http404 from None


@login_required
def my_sessions(request: HttpRequest) -> HttpResponse:
    return render(request, "parking/sessions.html",
                  {"sessions": services.sessions_of(request.user)[:50]})


@login_required
def session_page(request: HttpRequest, session_id: uuid.UUID) -> HttpResponse:
    session = _own(request, session_id)
    return render(request, "parking/session.html",
                  {"session": session, "plate": plates.shown(session.plate)})


@login_required
@require_POST
def stop(request: HttpRequest, session_id: uuid.UUID) -> HttpResponse:
    session = _own(request, session_id)
    try:
        services.stop_by_driver(session)
    except MistoError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Parking stopped."))
    return see_other(reverse("parking:session", args=[session.public_id]))


@login_required
@require_POST
def pay(request: HttpRequest, session_id: uuid.UUID) -> HttpResponse:
    session = _own(request, session_id)
    try:
        services.do_pay(session)
    except MistoError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The parking is paid."))
    return see_other(reverse("parking:session", args=[session.public_id]))


@login_required
def staff_stats(request: HttpRequest) -> HttpResponse:
    require(request.user, STATS_VIEW)
    try:
        day = date.fromisoformat(request.GET.get("day", "")[:10])
    except ValueError:
        day = timezone.localdate()
    return render(request, "parking/stats.html", {"stats": services.per_zone_and_hour(day)})


def cabinet_panel(request: HttpRequest) -> CabinetPanel | None:
    sessions = list(services.sessions_of(request.user)[:3])
    if not sessions:
        return None
    return CabinetPanel(title=gettext_lazy("My parking"), template="parking/panel.html",
                        context={"sessions": sessions}, url_name="parking:sessions",
                        order=PanelOrder.OTHER, key="parking")
