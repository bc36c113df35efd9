"""Fleet pages (the dispatcher's map, a vehicle's day, a waybill and its PDF) and the
trackers' OsmAnd endpoint: thin, they call ``services``."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from misto.core import osmand as osmand_protocol
from misto.core.http import see_other
from misto.core.permissions import can
from misto.fleet import permissions as perms
from misto.fleet.api import convert
from misto.fleet.errors import FleetError
from misto.fleet.models import RefusedFix, Vehicle, Waybill
from misto.fleet.services import days, pdf, tracking, vehicles, waybills

TILES = "/api/twin/tiles/{z}/{x}/{y}.mvt"


def _allowed(request: HttpRequest, action: str) -> None:
    if not can(request.user, action):
        raise PermissionDenied(action)


@login_required
def dispatch(request: HttpRequest) -> HttpResponse:
    _allowed(request, perms.VEHICLE_VIEW)
    rows = [convert.vehicle_out(v) for v in
            Vehicle.objects.filter(active=True).select_related("state")
            if can(request.user, perms.VEHICLE_VIEW, v)]
    return render(request, "fleet/dispatch.html", {
        "vehicles": rows, "refused": RefusedFix.objects.select_related("vehicle")[:20],
        "waybills": [w for w in Waybill.objects.select_related("vehicle").filter(
            status=Waybill.Status.FILLED)[:50] if can(request.user, perms.VEHICLE_VIEW, w)],
        "map_config": {"tiles": TILES, "vehicles": "/api/fleet/vehicles",
                       "refresh_s": 10}})


def _day(request: HttpRequest) -> date:
    try:
        return date.fromisoformat(request.GET.get("day") or "")
    except ValueError:
        return timezone.localdate()


@login_required
def vehicle(request: HttpRequest, vehicle_id: int) -> HttpResponse:
    _allowed(request, perms.VEHICLE_VIEW)
    try:
        found = vehicles.access_vehicle(request.user, vehicle_id)
    except FleetError as error:
        raise Http404(error.message) from error
    day = _day(request)
    if request.method == "POST":
        return _fill(request, found, day)
    return render(request, "fleet/vehicle.html", {
        "vehicle": found, "day": days.day_of(found, day),
        "waybill": Waybill.objects.filter(vehicle=found, day=day).first(),
        "can_fill": can(request.user, perms.WAYBILL_FILL),
        "drivers": get_user_model().objects.filter(
            is_active=True, staff_assignments__role__in=("operator", "dispatcher"))
        .distinct().order_by("username")[:200] if can(request.user, perms.WAYBILL_FILL)
        else ()})


def _fill(request: HttpRequest, found: Vehicle, day: date) -> HttpResponse:
    _allowed(request, perms.WAYBILL_FILL)
    try:
        driver = int(request.POST.get("driver") or 0)
        filled = waybills.do_fill(waybills.check_fill(request.user, found, day, driver))
    except (ValueError, FleetError) as error:
        messages.error(request, getattr(error, "message", str(error)))
        return see_other(f"{reverse('fleet:vehicle', args=[found.pk])}?day={day}")
    return see_other(reverse("fleet:waybill", args=[filled.pk]))


def _waybill(request: HttpRequest, waybill_id: int) -> Waybill:
    _allowed(request, perms.VEHICLE_VIEW)
    try:
        return waybills.access_waybill(request.user, waybill_id)
    except FleetError as error:
        raise Http404(error.message) from error


@login_required
def waybill(request: HttpRequest, waybill_id: int) -> HttpResponse:
    found = _waybill(request, waybill_id)
    return render(request, "fleet/waybill.html", {
        "waybill": found, "driver": waybills.person(found.driver),
        "approver": waybills.person(found.approved_by) if found.approved_by_id else "",
        "can_approve": (can(request.user, perms.WAYBILL_APPROVE)
                        and found.status == Waybill.Status.FILLED
                        and found.driver_id != request.user.pk),
        "own": found.driver_id == request.user.pk})


@login_required
@require_POST
def approve(request: HttpRequest, waybill_id: int) -> HttpResponse:
    found = _waybill(request, waybill_id)
    _allowed(request, perms.WAYBILL_APPROVE)
    try:
        waybills.do_approve(request.user, waybills.check_approve(request.user, found))
        messages.success(request, _("The waybill is approved."))
    except FleetError as error:
        messages.error(request, error.message)
    return see_other(reverse("fleet:waybill", args=[found.pk]))


@login_required
def waybill_pdf(request: HttpRequest, waybill_id: int) -> HttpResponse:
    found = _waybill(request, waybill_id)
    response = HttpResponse(pdf.waybill_pdf(found), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="waybill-{found.number}.pdf"'
    return response


@csrf_exempt
@require_http_methods(["GET", "POST"])
def osmand(request: HttpRequest) -> HttpResponse:
    """Traccar's OsmAnd protocol for municipal vehicles: ``id`` (the tracker's device id or
    the plate), ``lat``, ``lon``, ``timestamp``, ``speed`` (knots), ``bearing``; Traccar's
    attributes ``ignition`` (true/false) and ``fuel`` (litres). 200 ``OK``; 200 ``refused:
    <reason>`` for an implausible fix (do not resend); 400 garbled; 401 wrong key."""
    params = osmand_protocol.params(request)
    try:
        found = vehicles.tracker(osmand_protocol.device_id(params),
                                 osmand_protocol.key(request, params))
    except FleetError as error:
        return HttpResponse(error.message, status=401, content_type="text/plain")
    try:
        lat = osmand_protocol.number(params, "lat")
        lon = osmand_protocol.number(params, "lon")
        if lat is None or lon is None:
            raise ValueError("lat/lon")
        ts = osmand_protocol.when(params.get("timestamp"))
        speed = osmand_protocol.speed_m_s(params)
        ignition = params.get("ignition")
        if ignition not in (None, "", "true", "false", "1", "0"):
            raise ValueError("ignition")
        fuel_l = osmand_protocol.number(params, "fuel")
        fix = tracking.Fix(ts=ts, lon=lon, lat=lat,
                           speed_kmh=round(speed * 3.6, 1) if speed is not None else None,
                           heading=osmand_protocol.number(params, "bearing", "heading"),
                           ignition=None if ignition in (None, "")
                           else ignition in ("true", "1"))
    except (ValueError, OverflowError, OSError) as error:
        return HttpResponse(f"bad request: {error}", status=400, content_type="text/plain")
    outcome = tracking.apply({found: [tracking.Reading(ts, fix=fix, fuel_l=fuel_l)]})
    result = outcome.get((found.pk, ts), tracking.Outcome(True))
    return HttpResponse("OK" if result.accepted else f"refused: {result.reason}",
                        content_type="text/plain")
