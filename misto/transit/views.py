"""Transit pages and the standards' own paths: thin, they call ``services``.

Residents: the live map (vehicles with their free seats, by route), a stop's page (next
arrivals, live or scheduled), the stop board for screens, the accuracy page. Dispatchers:
the network now. Machines: Traccar/OsmAnd positions, GTFS, GTFS-Realtime, OneBusAway.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotModified,
    JsonResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from misto.core import osmand as osmand_protocol
from misto.core.http import see_other
from misto.core.permissions import can
from misto.core.registry import CabinetPanel, PanelOrder
from misto.transit import conf
from misto.transit import permissions as perms
from misto.transit.api import convert
from misto.transit.errors import TransitError
from misto.transit.models import DeadFix, Feed, Route, Stop, VehicleState
from misto.transit.services import (
    boards,
    favourites,
    feeds,
    flows,
    overload,
    positions,
    predictions,
    realtime,
)
from misto.transit.services.occupancy import load

TILES = "/api/twin/tiles/{z}/{x}/{y}.mvt"


def _stop(code: str) -> Stop:
    try:
        return boards.access_stop(code)
    except TransitError as error:
        raise Http404(error.message) from None


def _current_feed() -> Feed | None:
    try:
        return feeds.current_feed()
    except TransitError:
        return None


def _routes(feed: Feed | None) -> list[Route]:
    return list(Route.objects.filter(feed=feed).order_by("short_name")) if feed else []


def index(request: HttpRequest) -> HttpResponse:
    """The live map: vehicles moving with their free seats, stops, a route filter."""
    feed = _current_feed()
    stops = list(Stop.objects.filter(feed=feed).order_by("name")) if feed else []
    routes = _routes(feed)
    config = {"tiles": TILES, "vehicles": "/api/transit/vehicles",
              "stops": [{"code": s.public_code, "name": s.name, "lon": s.lon, "lat": s.lat,
                         "url": reverse("transit:stop", args=[s.public_code])} for s in stops],
              "refresh_s": 5}
    return render(request, "transit/index.html", {
        "routes": routes, "stops": stops, "map_config": config,
        "coverage": overload.coverage()})


def _board_context(stop: Stop) -> dict[str, Any]:
    now = timezone.now()
    arrivals = boards.arrivals(stop, now=now)
    alerts = [a for a in realtime.active_alerts(now)
              if (not a.stop_ids and not a.route_ids) or stop.stop_id in a.stop_ids
              or any(x.route_id in a.route_ids for x in arrivals)]
    english = (get_language() or "uk").startswith("en")
    return {"stop": stop, "now": now, "arrivals": [(a, a.minutes(now)) for a in arrivals],
            "stale": boards.stale(now), "last_update": boards.last_update(),
            "alerts": [(a.header_en if english and a.header_en else a.header) for a in alerts]}


def stop(request: HttpRequest, code: str) -> HttpResponse:
    """A stop's page (phone first): the next arrivals, refreshed in place."""
    found = _stop(code)
    context = _board_context(found)
    if request.headers.get("HX-Request"):
        return render(request, "transit/_arrivals.html", context)
    return render(request, "transit/stop.html", {
        **context, "favourite": favourites.is_favourite(request.user, found),
        "map_config": {"tiles": TILES, "stops": [
            {"code": found.public_code, "name": found.name, "lon": found.lon, "lat": found.lat,
             "url": ""}], "vehicles": "/api/transit/vehicles", "refresh_s": 10}})


@login_required
@require_POST
def favourite(request: HttpRequest, code: str) -> HttpResponse:
    """Add the stop to the resident's stops in the cabinet, or take it off."""
    found = _stop(code)
    if favourites.do_toggle(request.user, found):
        messages.success(request, _("The stop is in your cabinet now."))
    else:
        messages.success(request, _("The stop is off your cabinet."))
    return see_other(reverse("transit:stop", args=[found.public_code]))


def cabinet_panel(request: HttpRequest) -> CabinetPanel | None:
    """My stops, each with its next three arrivals."""
    if not request.user.is_authenticated:
        return None
    now = timezone.now()
    mine = [(s, [(a, a.minutes(now)) for a in boards.arrivals(s, now=now, limit=3)])
            for s in favourites.favourites(request.user)]
    return CabinetPanel(title=gettext_lazy("My stops"), template="transit/panel.html",
                        context={"stops": mine}, url_name="transit:index",
                        order=PanelOrder.OTHER, key="transit-stops")


def stop_qr(request: HttpRequest, code: str) -> HttpResponse:
    """The QR code printed on the stop's sign: the stop's page, by its code (SVG)."""
    found = _stop(code)
    url = request.build_absolute_uri(reverse("transit:stop", args=[found.public_code]))
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=8, border=2,
                                    title=found.name)
    response = HttpResponse(out.getvalue(), content_type="image/svg+xml")
    response["Content-Disposition"] = f'inline; filename="stop-{found.public_code}.svg"'
    return response


def board(request: HttpRequest, code: str) -> HttpResponse:
    """The stop board for LED, e-paper and TV screens: large type, refreshes itself, keeps
    showing the timetable (marked so) when the live feed is quiet."""
    return render(request, "transit/board.html", _board_context(_stop(code)))


def accuracy(request: HttpRequest) -> HttpResponse:
    """How accurate the predictions were, per route and day, as measured."""
    today = timezone.localdate()
    rows = predictions.accuracy(days=[today - timedelta(days=i) for i in range(14)])
    names = dict(Route.objects.values_list("route_id", "short_name"))
    return render(request, "transit/accuracy.html", {
        "rows": [convert.accuracy_out(r, names) for r in rows],
        "buckets": predictions.BUCKET_NAMES,
        "bands": [(name, early, late) for name, (_u, early, late)
                  in zip(predictions.BUCKET_NAMES, predictions.BUCKETS, strict=True)]})


def dispatch(request: HttpRequest) -> HttpResponse:
    if not can(request.user, perms.DISPATCH_VIEW):
        raise PermissionDenied(perms.DISPATCH_VIEW)
    now = timezone.now()
    silent = VehicleState.objects.filter(
        vehicle__active=True, fixed_at__lt=now - timedelta(seconds=conf.stale_seconds()),
        fixed_at__gte=now - timedelta(hours=12)).select_related("vehicle").order_by("fixed_at")
    hourly = flows.by_hour(timezone.localdate(now))
    peak = max((n for _r, _h, n in hourly), default=0) or 1
    labels = {route.route_id: route.label for route in _routes(_current_feed())}
    return render(request, "transit/dispatch.html", {
        "flows": [(labels.get(route, route), hour, n, round(100 * n / peak))
                  for route, hour, n in hourly],
        "routes": overload.routes_now(now), "threshold": conf.overload_percent(),
        "silent": silent[:50], "dead": DeadFix.objects.order_by("-pk")[:20],
        "map_config": {"tiles": TILES, "stops": [], "vehicles": "/api/transit/vehicles",
                       "refresh_s": 5}})


# --- Machines --------------------------------------------------------------------------


@csrf_exempt
@require_http_methods(["GET", "POST"])
def osmand(request: HttpRequest) -> HttpResponse:
    """Traccar's OsmAnd protocol: ``id`` (the vehicle's fleet number), ``lat``, ``lon``,
    ``timestamp`` (Unix seconds or ISO 8601), ``speed`` (knots), ``bearing``/``heading``;
    the tracker's key as ``key`` or ``Authorization: Bearer``; Misto's additions:
    ``passengers`` (on board), ``in``/``out`` (counted since the last fix), ``trip``.
    200 ``OK`` when stored, 200 ``dead letter: <reason>`` when refused as implausible (the
    tracker must not send it again), 400 for a garbled request, 401 for a wrong key."""
    params = osmand_protocol.params(request)
    code = osmand_protocol.device_id(params)
    key = osmand_protocol.key(request, params)
    try:
        vehicle = positions.tracker(code, key)
    except TransitError as error:
        return HttpResponse(error.message, status=401, content_type="text/plain")
    try:
        lat = osmand_protocol.number(params, "lat")
        lon = osmand_protocol.number(params, "lon")
        if lat is None or lon is None:
            raise ValueError("lat/lon")
        fix = positions.Fix(
            lon=lon, lat=lat, fixed_at=osmand_protocol.when(params.get("timestamp")),
            speed=osmand_protocol.speed_m_s(params),
            bearing=osmand_protocol.number(params, "bearing", "heading"),
            trip_id=(params.get("trip") or "")[:100],
            passengers=_int(params.get("passengers")), boarded=_int(params.get("in")) or 0,
            alighted=_int(params.get("out")) or 0)
    except (ValueError, OverflowError, OSError) as error:
        return HttpResponse(f"bad request: {error}", status=400, content_type="text/plain")
    outcome = positions.record(vehicle, fix)
    return HttpResponse("OK" if outcome.accepted else f"dead letter: {outcome.reason}",
                        content_type="text/plain")


def _int(value: str | None) -> int | None:
    if value in (None, ""):
        return None
    number = int(value)
    if not 0 <= number <= 1000:
        raise ValueError("a count between 0 and 1000")
    return number


@require_GET
def gtfs_rt(request: HttpRequest, kind: str) -> HttpResponse:
    """``/gtfs-rt/{vehicle-positions,trip-updates,alerts}.pb``; ``?format=json`` for people."""
    if kind not in realtime.KINDS:
        raise Http404("unknown feed")
    built = realtime.build(kind)
    modified = built.modified.replace(microsecond=0)
    since = request.headers.get("If-Modified-Since")
    if since:
        try:
            if modified <= parsedate_to_datetime(since):
                return HttpResponseNotModified()
        except (TypeError, ValueError):
            pass
    if request.GET.get("format") == "json":
        response: HttpResponse = JsonResponse(built.as_dict(),
                                              json_dumps_params={"ensure_ascii": False})
    else:
        response = HttpResponse(built.protobuf(), content_type="application/x-protobuf")
    response["Last-Modified"] = format_datetime(modified.astimezone(UTC), usegmt=True)
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def gtfs_feed(request: HttpRequest) -> HttpResponse:
    """The current static feed as GTFS (built from the database, so it is what Misto uses)."""
    try:
        feed = feeds.current_feed()
    except TransitError as error:
        raise Http404(error.message) from None
    response = HttpResponse(feeds.export_feed(feed), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="feed.zip"'
    response["Last-Modified"] = format_datetime(feed.imported_at.astimezone(UTC), usegmt=True)
    return response


def _ms(value: datetime | None) -> int:
    return int(value.timestamp() * 1000) if value else 0


@require_GET
def oba_arrivals(request: HttpRequest, stop_id: str) -> JsonResponse:
    """OneBusAway's ``arrivals-and-departures-for-stop`` shape (REST API v2), so OBA clients
    and stop-board software read Misto; ``stop_id`` may carry OBA's ``<agency>_`` prefix.
    Misto adds ``occupancyStatus``/``freeSeats`` per arrival."""
    now = timezone.now()
    try:
        feed = feeds.current_feed()
        agency = feed.agencies.order_by("pk").first()
        prefix = f"{(agency.agency_id if agency else '') or '1'}_"
        found = boards.access_stop(stop_id.removeprefix(prefix))
    except TransitError as error:
        return JsonResponse({"code": 404, "currentTime": _ms(now), "text": error.message,
                             "version": 2, "data": None}, status=404)
    minutes_after = min(max(int(request.GET.get("minutesAfter", "35") or 35)
                            if (request.GET.get("minutesAfter") or "35").isdigit() else 35, 1),
                        240)
    arrivals = boards.arrivals(found, now=now, limit=50, horizon=timedelta(minutes=minutes_after))
    entries, routes, trips = [], {}, {}
    states = {s.vehicle.code: s for s in VehicleState.objects.filter(
        vehicle__code__in=[a.vehicle for a in arrivals if a.vehicle]).select_related("vehicle")}
    for a in arrivals:
        routes[a.route_id] = a.route
        trips[a.trip_id] = (a.route_id, a.headsign)
        state = states.get(a.vehicle)
        occupancy = load(state.passengers, state.vehicle.seats, state.vehicle.capacity) \
            if state else None
        entries.append({
            "routeId": prefix + a.route_id, "tripId": prefix + a.trip_id,
            "serviceDate": _ms(datetime.fromisoformat(a.service_date).replace(tzinfo=UTC)),
            "stopId": prefix + found.stop_id, "stopSequence": a.sequence,
            "routeShortName": a.route, "tripHeadsign": a.headsign,
            "scheduledArrivalTime": _ms(a.scheduled), "scheduledDepartureTime": _ms(a.scheduled),
            "predictedArrivalTime": _ms(a.predicted), "predictedDepartureTime": _ms(a.predicted),
            "predicted": a.live, "vehicleId": prefix + a.vehicle if a.vehicle else "",
            "arrivalEnabled": True, "departureEnabled": True, "status": "default",
            "distanceFromStop": 0.0, "numberOfStopsAway": 0,
            "occupancyStatus": occupancy.status if occupancy else "",
            "freeSeats": occupancy.free_seats if occupancy else None,
            "tripStatus": {"predicted": a.live, "scheduleDeviation": a.delay_s or 0,
                           "activeTripId": prefix + a.trip_id,
                           "vehicleId": prefix + a.vehicle if a.vehicle else "",
                           "lastUpdateTime": _ms(state.fixed_at) if state else 0,
                           "position": {"lat": state.lat, "lon": state.lon} if state else None},
        })
    agencies = [{"id": (x.agency_id or "1"), "name": x.name, "url": x.url,
                 "timezone": x.timezone, "lang": x.lang, "phone": x.phone}
                for x in feed.agencies.all()]
    return JsonResponse({
        "code": 200, "currentTime": _ms(now), "text": "OK", "version": 2,
        "data": {
            "entry": {"stopId": prefix + found.stop_id, "arrivalsAndDepartures": entries,
                      "nearbyStopIds": [], "situationIds": []},
            "references": {
                "agencies": agencies,
                "routes": [{"id": prefix + r, "shortName": name, "agencyId": prefix[:-1],
                            "type": 3} for r, name in routes.items()],
                "stops": [{"id": prefix + found.stop_id, "code": found.public_code,
                           "name": found.name, "lat": found.lat, "lon": found.lon,
                           "direction": "", "locationType": 0, "wheelchairBoarding":
                           "ACCESSIBLE" if found.wheelchair == 1 else "UNKNOWN"}],
                "trips": [{"id": prefix + t, "routeId": prefix + r, "tripHeadsign": h}
                          for t, (r, h) in trips.items()],
                "situations": []}}}, json_dumps_params={"ensure_ascii": False})
