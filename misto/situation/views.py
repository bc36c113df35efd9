"""Pages of the situation centre: the live map, the dashboard (and big screen), the
leadership's read-only view, incident pages with dispatch, the crew's phone pages, the
emergency pages, and the live stream (server-sent events)."""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any, NoReturn

from asgiref.sync import sync_to_async
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.handlers.asgi import ASGIRequest
from django.db import close_old_connections, connection
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from misto import twin
from misto.core.config import env_float
from misto.core.errors import MistoError
from misto.core.i18n import localized
from misto.core.registry import dashboard_panels_for
from misto.situation import services
from misto.situation.models import (
    ACTIVE_STATUSES,
    Crew,
    Emergency,
    IncidentKind,
    Severity,
    Status,
)

HEARTBEAT_SECONDS = 15.0


def _stream_seconds() -> float:
    """How long one stream lasts before the browser reconnects (Last-Event-ID resumes)."""
    return env_float("MISTO_SITUATION_STREAM_SECONDS", 300.0, minimum=1.0)


def _poll_seconds() -> float:
    return env_float("MISTO_SITUATION_STREAM_POLL", 1.0, minimum=0.05)


def _guard(request: HttpRequest) -> HttpResponse | None:
    """Staff only; anonymous visitors are sent to sign in."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not services.can_view(request.user):
        return HttpResponse(_("Only city staff may see the situation centre."), status=403)
    return None


def _reach(error: MistoError) -> NoReturn:
    """A refusal of ``services.access_*`` as a page: 404 for a missing or hidden object (the
    same page for both), 403 for a visible one the user may not act on."""
    if error.status == 404:
        raise Http404(error.message) from error
    raise PermissionDenied(error.message) from error


def _districts() -> list[tuple[str, str]]:
    return [(d.katottg, localized(d, "name")) for d in twin.districts()]


def _map_config(request: HttpRequest, *, read_only: bool, emergency: Emergency | None = None
                ) -> dict[str, Any]:
    return {
        "tiles": "/api/twin/tiles/{z}/{x}/{y}.mvt",
        "incidents": "/api/situation/incidents",
        "devices": "/api/situation/devices",
        "outages": "/api/situation/outages",
        "stream": reverse("situation:stream"),
        "incident_page": reverse("situation:incident", args=[0]).replace("/0/", "/{id}/"),
        "after": services.latest_change_id(),
        "bounds": services.city_bounds(),
        "read_only": read_only,
        "emergency": emergency.pk if emergency else None,
        "severity_colors": {"info": "#1c7ed6", "warning": "#f08c00", "critical": "#c92a2a"},
        "device_colors": {"ok": "#2b8a3e", "alert": "#e03131", "offline": "#495057",
                          "never": "#adb5bd"},
        "text": {
            "sources": _("Sources"), "nothing": _("No incidents match the filters."),
            "live": _("Live"), "offline": _("Reconnecting…"),
            "statuses": dict(Status.choices), "severities": dict(Severity.choices),
        },
    }


def _filters_context(request: HttpRequest) -> dict[str, Any]:
    return {
        "kinds": IncidentKind.objects.all(), "districts": _districts(),
        "severities": Severity.choices, "statuses": Status.choices,
        "periods": [("", _("any time")), ("1h", _("last hour")), ("24h", _("last 24 hours")),
                    ("7d", _("last 7 days")), ("30d", _("last 30 days"))],
        "chosen": {key: request.GET.get(key, "") for key in
                   ("kind", "district", "severity", "period", "status")},
    }


def centre(request: HttpRequest) -> HttpResponse:
    """The dispatcher's live map with filters and the incident list."""
    refused = _guard(request)
    if refused:
        return refused
    return render(request, "situation/centre.html", {
        **_filters_context(request),
        "config": _map_config(request, read_only=not services.can_dispatch(request.user)),
    })


def _dashboard(request: HttpRequest, *, read_only: bool) -> HttpResponse:
    refused = _guard(request)
    if refused:
        return refused
    board = services.dashboard()
    context = {"board": board, "read_only": read_only,
               "big_screen": request.GET.get("screen") == "1",
               "config": _map_config(request, read_only=read_only)}
    if request.GET.get("fragment") == "1":
        return render(request, "situation/_figures.html", context)
    # Other modules' panels (the City Progress Index), each shown to whom its module allows.
    context["panels"] = dashboard_panels_for(request)
    return render(request, "situation/dashboard.html", context)


def dashboard(request: HttpRequest) -> HttpResponse:
    return _dashboard(request, read_only=not services.can_dispatch(request.user))


def leadership(request: HttpRequest) -> HttpResponse:
    """The same picture for leadership on their own devices: nothing to press."""
    return _dashboard(request, read_only=True)


def incident(request: HttpRequest, incident_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    try:
        item = services.access_incident(request.user, incident_id)
    except MistoError as exc:
        _reach(exc)
    return render(request, "situation/incident.html", {
        "incident": item, "sources": item.source_rows.all(),
        "updates": item.updates.select_related("actor"),
        "can_dispatch": services.can_dispatch(request.user) and item.active,
        "can_work": services.can_work_on(request.user, item) and item.active,
        "crews": Crew.objects.filter(active=True), "departments": services.departments(),
        "next_statuses": _next_statuses(item.status, request.user),
    })


def _next_statuses(status: str, user: Any) -> list[tuple[str, str]]:
    allowed = services.ALLOWED_STEPS.get(Status(status), set())
    if status == Status.OPEN and not services.can_dispatch(user):
        allowed = set()
    return [(value, str(label)) for value, label in Status.choices if value in allowed]


@require_POST
def assign(request: HttpRequest, incident_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("situation:incident", args=[incident_id]))
    crew = request.POST.get("crew") or ""
    try:
        crew_id = int(crew) if crew else None
    except ValueError:
        crew_id = -1
    try:
        item = services.assign(incident_id, request.user,
                               department=request.POST.get("department", ""), crew_id=crew_id,
                               note=request.POST.get("note", ""))
    except MistoError as exc:
        return _back(request, incident_id, exc)
    who = item.crew.name if item.crew else item.department
    messages.success(request, _("Assigned to %(who)s.") % {"who": who})
    return redirect("situation:incident", incident_id)


def _back(request: HttpRequest, incident_id: int, error: MistoError) -> HttpResponse:
    """After a refused form: show the page again with the message, and the 4xx status
    (a missing or hidden incident is the 404 page, nothing more)."""
    if error.status == 404:
        _reach(error)
    messages.error(request, error.message)
    response = incident(request, incident_id)
    response.status_code = error.status
    return response


@require_POST
def update_status(request: HttpRequest, incident_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("situation:task", args=[incident_id]))
    photo = request.FILES.get("photo")
    try:
        services.change_status(incident_id, request.user, request.POST.get("status", ""),
                               note=request.POST.get("note", ""), photo=photo)
    except MistoError as exc:
        if request.POST.get("from") == "task":
            return _task_back(request, incident_id, exc)
        return _back(request, incident_id, exc)
    messages.success(request, _("Saved."))
    if request.POST.get("from") == "task":
        return redirect("situation:task", incident_id)
    return redirect("situation:incident", incident_id)


def tasks(request: HttpRequest) -> HttpResponse:
    """The crew's phone page: my tasks."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    rows = list(services.crew_tasks(request.user))
    my_crews = Crew.objects.filter(members=request.user, active=True)
    return render(request, "situation/tasks.html", {"tasks": rows, "crews": my_crews})


def task(request: HttpRequest, incident_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    try:
        item = services.access_incident(request.user, incident_id, "work")
    except MistoError as exc:
        _reach(exc)
    point = None
    if item.lon is not None and item.lat is not None:
        point = {"lon": item.lon, "lat": item.lat}
    return render(request, "situation/task.html", {
        "incident": item, "point": point,
        "updates": item.updates.select_related("actor"),
        "next_statuses": _next_statuses(item.status, request.user) if item.active else [],
        "map_config": {"tiles": "/api/twin/tiles/{z}/{x}/{y}.mvt", "point": point,
                       "bounds": services.city_bounds()},
    })


def _task_back(request: HttpRequest, incident_id: int, error: MistoError) -> HttpResponse:
    if error.status == 404:
        _reach(error)
    messages.error(request, error.message)
    response = task(request, incident_id)
    response.status_code = error.status
    return response


def photo(request: HttpRequest, update_id: int) -> HttpResponseBase:
    """A status-update photo, for those who may see the incident."""
    try:
        row = services.access_photo(request.user, update_id)
    except MistoError as exc:
        _reach(exc)
    return FileResponse(row.photo.open("rb"))


def emergencies(request: HttpRequest) -> HttpResponse:
    refused = _guard(request)
    if refused:
        return refused
    if request.method == "POST":
        try:
            created = services.declare_emergency(
                request.user, title=request.POST.get("title", ""),
                kind=request.POST.get("kind", "other"),
                districts=request.POST.getlist("districts"),
                area=request.POST.get("area", "").strip() or None,
                note=request.POST.get("note", ""))
        except MistoError as exc:
            messages.error(request, exc.message)
            response = _emergency_list(request)
            response.status_code = exc.status
            return response
        return redirect("situation:emergency", created.pk)
    return _emergency_list(request)


def _emergency_list(request: HttpRequest) -> HttpResponse:
    return render(request, "situation/emergencies.html", {
        "active": Emergency.objects.filter(ended_at__isnull=True),
        "ended": Emergency.objects.filter(ended_at__isnull=False)[:20],
        "districts": _districts(), "can_dispatch": services.can_dispatch(request.user),
        "kinds": [("heating", _("Heating")), ("water", _("Water")), ("power", _("Power")),
                  ("gas", _("Gas")), ("other", _("Other"))],
        "form": request.POST if request.method == "POST" else {},
    })


def _shelter_status(status: str) -> str:
    labels = {"open": pgettext("shelter", "open"), "closed": pgettext("shelter", "closed")}
    return labels.get(status, _("status unknown"))


def _number(value: str | None) -> float | None:
    try:
        number = float(value) if value else None
    except ValueError:
        return None
    return number if number is not None and math.isfinite(number) else None


def emergency(request: HttpRequest, emergency_id: int) -> HttpResponse:
    refused = _guard(request)
    if refused:
        return refused
    try:
        item = services.access_emergency(request.user, emergency_id)
    except MistoError as exc:
        _reach(exc)
    if request.method == "POST":
        try:
            services.end_emergency(emergency_id, request.user, request.POST.get("note", ""))
        except MistoError as exc:
            if exc.status in (403, 404):
                _reach(exc)
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The emergency has ended."))
        return redirect("situation:emergency", emergency_id)
    shape = services.emergency_area(item)
    count, buildings = services.affected_buildings(item)
    shelters = services.nearby_shelters(item)
    query = (request.GET.get("q") or "").strip()[:100]
    walking, walking_error = services.walking_routes(
        item, query, _number(request.GET.get("lon")), _number(request.GET.get("lat")))
    for row in [*shelters, *(walking["shelters"] if walking else [])]:
        row["status_label"] = _shelter_status(row["status"])
    config = _map_config(request, read_only=True, emergency=item)
    config["area"] = json.loads(shape.geojson) if shape is not None else None
    config["buildings"] = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": b["geometry"], "properties": {"name": b["name"]}}
        for b in buildings]}
    config["shelters"] = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [s["lon"], s["lat"]]},
         "properties": {"name": s["name"], "status": s["status"]}} for s in shelters]}
    config["routes"] = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": s["route"], "properties": {"name": s["name"],
                                                                    "best": i == 0}}
        for i, s in enumerate(walking["shelters"] if walking else [])]}
    return render(request, "situation/emergency.html", {
        "emergency": item, "building_count": count, "buildings": buildings[:50],
        "shelters": shelters, "config": config, "walking": walking,
        "walking_error": walking_error, "query": query,
        "incidents": item.incidents.select_related("kind").order_by("-opened_at")[:200],
        "active_count": item.incidents.filter(status__in=ACTIVE_STATUSES).count(),
        "can_dispatch": services.can_dispatch(request.user) and item.active,
    })


# --- The live stream -----------------------------------------------------------------------


def _event_text(pk: int, topic: str, data: dict[str, Any]) -> str:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    return f"id: {pk}\nevent: {topic}\ndata: {body}\n\n"


def _poll(after: int) -> tuple[int, str]:
    items = services.changes_after(after)
    text = "".join(_event_text(pk, topic, data) for pk, topic, data in items)
    return (items[-1][0] if items else after), text


def _poll_and_release(after: int) -> tuple[int, str]:
    try:
        return _poll(after)
    finally:
        _release_connection()


def _release_connection() -> None:
    """Between polls a long stream must not sit on a database connection (nor keep a
    transaction open); inside a test's atomic block there is nothing to release."""
    if not connection.in_atomic_block:
        close_old_connections()
        connection.close()


def _sync_stream(after: int, seconds: float) -> Iterator[str]:
    yield f"retry: 3000\n: after {after}\n\n"
    deadline = time.monotonic() + seconds
    while True:
        after, text = _poll(after)
        _release_connection()
        # Under WSGI a closed connection only shows when writing: a one-byte-ish comment
        # every poll lets the thread notice a browser that went away within a second.
        yield text or ": \n\n"
        if time.monotonic() >= deadline:
            return
        time.sleep(_poll_seconds())


async def _async_stream(after: int, seconds: float) -> AsyncIterator[str]:
    # One call polls and lets go of the connection: each call may run in another thread of
    # the pool, and a database connection belongs to the thread that opened it.
    poll = sync_to_async(_poll_and_release, thread_sensitive=False)
    yield f"retry: 3000\n: after {after}\n\n"
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    beat = loop.time()
    while True:
        after, text = await poll(after)
        if text:
            yield text
            beat = loop.time()
        elif loop.time() - beat >= HEARTBEAT_SECONDS:
            yield ": ping\n\n"
            beat = loop.time()
        if loop.time() >= deadline:
            return
        await asyncio.sleep(_poll_seconds())


def stream(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Server-sent events: every change to incidents, devices, outages and emergencies.

    Starts after ``Last-Event-ID`` (the browser resends it on reconnect) or ``?after=``;
    ends after a few minutes and the browser reconnects, so no connection lives forever.
    """
    if not request.user.is_authenticated:
        return HttpResponse(_("Sign in to follow the situation."), status=401)
    if not services.can_view(request.user):
        return HttpResponse(_("Only city staff may follow the situation."), status=403)
    raw = request.headers.get("Last-Event-ID") or request.GET.get("after") or ""
    try:
        after = int(raw) if raw else services.latest_change_id()
    except ValueError:
        return HttpResponse(_("after must be a change id (a whole number)."), status=400)
    if after < 0:
        return HttpResponse(_("after must be a change id (0 or more)."), status=400)
    try:
        longest = _stream_seconds()
        seconds = min(float(request.GET.get("seconds") or longest), longest)
    except ValueError:
        return HttpResponse(_("seconds must be a number."), status=400)
    content: Iterator[str] | AsyncIterator[str]
    if isinstance(request, ASGIRequest):
        content = _async_stream(after, seconds)
    else:
        content = _sync_stream(after, seconds)
    response = StreamingHttpResponse(content, content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response
