"""Parking pages: thin, they call ``services`` and render (phone first).

The map is public; starting, stopping, paying, booking and asking for a permit are the
signed-in driver's own. A refusal (a bad plate, a closed lot, a refused payment) is a
message on the same page, and the form keeps what was typed. The inspectors' check
(``parking.enforcement.check``) and the inspectors' list (``parking.inspector.manage``)
are staff pages. Plates travel in POST bodies, never in a URL (nor in an access log).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from misto.core.errors import MistoError
from misto.core.http import see_other
from misto.core.i18n import localized
from misto.core.permissions import require
from misto.core.registry import CabinetPanel, PanelOrder
from misto.parking import plates, services
from misto.parking.errors import ParkingCode, ParkingError
from misto.parking.models import Lot, Session, Zone, ZoneKind
from misto.parking.permissions import ENFORCEMENT_CHECK, INSPECTOR_MANAGE, STATS_VIEW
from misto.parking.services import inspectors
from misto.parking.services.settings import booking_cancel_minutes, booking_max_hours

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


# --- Bookings -----------------------------------------------------------------------------

HALF_HOURS = [f"{minutes // 60:02d}:{minutes % 60:02d}" for minutes in range(0, 24 * 60, 30)]


def _lengths() -> list[tuple[int, str]]:
    """The booking lengths offered, in minutes, with their labels (30 min .. the longest)."""
    return [(minutes, f"{minutes // 60}:{minutes % 60:02d}")
            for minutes in range(30, booking_max_hours() * 60 + 1, 30)]


def _window(form: dict[str, str]) -> tuple[datetime, datetime]:
    """The local day, start and length typed in the form, as an aware window."""
    try:
        day = date.fromisoformat(form["day"][:10])
        start = time.fromisoformat(form["start"][:5])
        minutes = int(form["minutes"][:4])
    except ValueError:
        raise ParkingError(ParkingCode.INVALID, _(
            "Choose the day, the start time and how long.")) from None
    starts_at = timezone.make_aware(datetime.combine(day, start))
    return starts_at, starts_at + timedelta(minutes=minutes)


def _booking_form(request: HttpRequest) -> dict[str, str]:
    data = request.POST if request.method == "POST" else request.GET
    upcoming = timezone.localtime() + timedelta(minutes=30)
    upcoming = upcoming.replace(minute=0 if upcoming.minute < 30 else 30, second=0,
                                microsecond=0) + timedelta(minutes=30)
    return {"plate": data.get("plate", "")[:20], "lot": data.get("lot", "")[:20],
            "day": data.get("day", "")[:10] or upcoming.date().isoformat(),
            "start": data.get("start", "")[:5] or upcoming.strftime("%H:%M"),
            "minutes": data.get("minutes", "")[:4] or "60"}


@login_required
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest) -> HttpResponse:
    """Choose a bookable lot and a window; "Show the price" checks everything and shows
    what will be charged (an htmx fragment, or the whole page without scripts); "Book and
    pay" books exactly that."""
    form = _booking_form(request)
    quote: services.CheckedBooking | None = None
    if request.method == "POST":
        try:
            starts_at, ends_at = _window(form)
            lot = services.access_lot(form["lot"])
            quote = services.check_booking(request.user, form["plate"], lot, starts_at,
                                           ends_at)
            if request.POST.get("action") == "confirm":
                booking = services.do_book(quote)
                messages.success(request, _(
                    "Place %(place)s in lot %(lot)s is booked for you.")
                    % {"place": booking.place.number, "lot": lot.code})
                return see_other(reverse("parking:bookings"))
        except MistoError as error:
            quote = None
            messages.error(request, error.message)
    htmx = bool(request.headers.get("HX-Request"))
    context = {"form": form, "quote": quote, "htmx": htmx,
               "cancel_minutes": booking_cancel_minutes(),
               "quote_plate": plates.shown(quote.plate) if quote else "",
               "quote_uah": Decimal(quote.amount) / 100 if quote else None}
    if htmx:  # the price fragment alone: no lots, no map
        return render(request, "parking/_quote.html", context)
    lots = services.with_free(Lot.objects.filter(bookable=True, closed=False))
    return render(request, "parking/book.html", {
        **context, "lots": lots, "half_hours": HALF_HOURS, "lengths": _lengths(),
        "map_config": _map_config(lots)})


@login_required
def my_bookings(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    rows = [{"booking": booking, "plate": plates.shown(booking.plate),
             "cancellable": services.cancellable(booking, now),
             "deadline": services.cancel_deadline(booking)}
            for booking in services.bookings_of(request.user)[:50]]
    return render(request, "parking/bookings.html", {"rows": rows})


@login_required
@require_POST
def cancel_booking(request: HttpRequest, booking_id: uuid.UUID) -> HttpResponse:
    try:
        booking = services.access_booking(request.user, booking_id)
    except MistoError:
        raise Http404 from None
    try:
        services.do_cancel(booking)
    except MistoError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The booking is cancelled and the money returned to "
                                    "your wallet."))
    return see_other(reverse("parking:bookings"))


# --- Permits ------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def permits(request: HttpRequest) -> HttpResponse:
    form = {"plate": request.POST.get("plate", "")[:20],
            "zone": request.POST.get("zone", "")[:20]}
    if request.method == "POST":
        try:
            permit = services.do_permit(services.check_permit(
                request.user, form["plate"], services.access_zone(form["zone"])))
        except MistoError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("%(plate)s may park in zone %(zone)s until %(date)s.")
                             % {"plate": plates.shown(permit.plate), "zone": permit.zone.code,
                                "date": timezone.localtime(permit.valid_until).date()})
            return see_other(reverse("parking:permits"))
    now = timezone.now()
    rows = [{"permit": permit, "plate": plates.shown(permit.plate),
             "valid": permit.valid_from <= now < permit.valid_until}
            for permit in services.permits_of(request.user)[:50]]
    return render(request, "parking/permits.html", {
        "rows": rows, "form": form,
        "zones": Zone.objects.filter(kind=ZoneKind.RESIDENTS).order_by("code")})


# --- Inspectors ---------------------------------------------------------------------------

def _check_location(request: HttpRequest) -> tuple[float, float]:
    """The phone's position, or the chosen lot's point when the phone gives none."""
    lot_code = request.POST.get("lot", "").strip()
    if lot_code:
        lot = services.access_lot(lot_code)
        return lot.point.x, lot.point.y
    try:
        return float(request.POST.get("lon", "")[:20]), float(request.POST.get("lat", "")[:20])
    except ValueError:
        raise ParkingError(ParkingCode.INVALID, _(
            "Allow the phone to tell where you are, or choose the lot.")) from None


@login_required
@require_http_methods(["GET", "POST"])
def inspect(request: HttpRequest) -> HttpResponse:
    """An inspector's phone: a plate and where the inspector stands; the answer is
    allowed or not, until when, in which zone, and why (docs/parking.md, Enforcement)."""
    require(request.user, ENFORCEMENT_CHECK)
    verdict: services.Verdict | None = None
    plate = request.POST.get("plate", "")[:20]
    if request.method == "POST":
        try:
            lon, lat = _check_location(request)
            verdict = services.check_inspection(request.user, plate, lon, lat)
        except MistoError as error:
            messages.error(request, error.message)
    htmx = bool(request.headers.get("HX-Request"))
    context: dict[str, Any] = {
        "verdict": verdict, "plate": plate, "htmx": htmx,
        "shown": plates.shown(plates.normalise(plate)) if verdict else "",
        "reason": services.reason_text(verdict.reason) if verdict else "",
        "lots": Lot.objects.filter(closed=False).select_related("zone").order_by("code")}
    if htmx:
        return render(request, "parking/_verdict.html", context)
    return render(request, "parking/inspect.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def staff_inspectors(request: HttpRequest) -> HttpResponse:
    """The zones' inspectors: operators of the parking department, each for the districts
    of the zones they check (or all)."""
    require(request.user, INSPECTOR_MANAGE)
    if request.method == "POST":
        try:
            granted = inspectors.do_appoint(inspectors.check_appoint(
                request.POST.get("username", ""), request.POST.get("district", "")))
        except MistoError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("%(name)s is an inspector now.")
                             % {"name": granted.user.get_username()})
        return see_other(reverse("parking:staff-inspectors"))
    return render(request, "parking/inspectors.html", {
        "districts": inspectors.districts(), "rows": inspectors.appointed()})


@login_required
@require_POST
def staff_inspector_remove(request: HttpRequest, assignment_id: int) -> HttpResponse:
    require(request.user, INSPECTOR_MANAGE)
    try:
        inspectors.do_dismiss(inspectors.access_inspector(assignment_id))
    except MistoError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The inspector was removed."))
    return see_other(reverse("parking:staff-inspectors"))


def cabinet_panel(request: HttpRequest) -> CabinetPanel | None:
    sessions = list(services.sessions_of(request.user)[:3])
    if not sessions:
        return None
    return CabinetPanel(title=gettext_lazy("My parking"), template="parking/panel.html",
                        context={"sessions": sessions}, url_name="parking:sessions",
                        order=PanelOrder.OTHER, key="parking")
