"""The IoT pages (sensors, a device's live page, staff lists), the live stream and webhooks."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET

from misto.core.i18n import localized
from misto.core.permissions import can
from misto.iot import intake, services
from misto.iot.errors import IotError
from misto.iot.models import Device, Latest, Quantity
from misto.iot.stream import open_stream


def _require_staff(request: HttpRequest) -> None:
    if not can(request.user, "iot.device.view"):
        raise PermissionDenied


def _device(request: HttpRequest, uid: str) -> Device:
    """The device page's device, or the site's 404 page (missing and hidden alike)."""
    try:
        return services.access_device(request.user, uid)
    except IotError:
        raise Http404 from None


def _map_config(points: list[dict[str, object]]) -> dict[str, object]:
    return {"tiles": "/api/twin/tiles/{z}/{x}/{y}.mvt", "points": points}


@require_GET
def sensors(request: HttpRequest) -> HttpResponse:
    """Public page: every public sensor on the map and in a table, with its latest values."""
    devices = list(Device.objects.filter(active=True, public=True).select_related("model")
                   .order_by("model__entity_type", "uid"))
    latest: dict[int, dict[str, float]] = {}
    for row in Latest.objects.filter(device__in=devices).values_list("device_id", "quantity",
                                                                     "value"):
        latest.setdefault(row[0], {})[row[1]] = row[2]
    points = [{"id": d.uid, "name": localized(d, "name"), "lon": d.location.x, "lat": d.location.y,
               "url": f"/iot/devices/{d.uid}/"} for d in devices if d.location]
    rows = [(d, latest.get(d.pk, {})) for d in devices]
    return render(request, "iot/sensors.html", {
        "rows": rows, "map_config": _map_config(points), "count": len(devices),
    })


@require_GET
def device_page(request: HttpRequest, uid: str) -> HttpResponse:
    device = _device(request, uid)
    quantities = {q.code: q for q in Quantity.objects.filter(code__in=device.model.quantities)}
    latest = sorted(services.latest(device).items())
    with_data = [code for code in device.model.quantities if code in dict(latest)]
    chosen = request.GET.get("quantity") or (with_data or device.model.quantities or [""])[0]
    if chosen not in quantities:
        raise Http404
    now = timezone.now()
    series = services.history(device, chosen, now - timedelta(hours=24), now, 2000) \
        if chosen else []
    point = device.location
    config = {
        "device": device.uid, "quantity": chosen,
        "unit": quantities[chosen].unit_label if chosen else "",
        "stream": f"/iot/devices/{device.uid}/stream",
        "series": [[ts.isoformat(), value] for ts, value in series],
        "map": _map_config([{"id": device.uid, "name": localized(device, "name"), "lon": point.x,
                             "lat": point.y, "url": ""}] if point else []),
    }
    return render(request, "iot/device.html", {
        "device": device, "status": services.status(device), "config": config,
        "quantities": [quantities[c] for c in device.model.quantities if c in quantities],
        "chosen": quantities.get(chosen), "latest": [
            (quantities.get(q), q, ts, v) for q, (ts, v) in latest],
        "maintenance": (device.maintenance.all()[:10]
                        if can(request.user, "iot.device.view") else []),
        # What the network server's decoder sends beyond the model's quantities: for the
        # IT administrator to map in the model's field map.
        "unmapped": (intake.unmapped_fields(device)
                     if can(request.user, "iot.device.view") else {}),
    })


@require_GET
def staff_devices(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    devices = Device.objects.select_related("model").order_by("uid")
    rows = [(d, services.status(d)) for d in devices]
    return render(request, "iot/staff_devices.html", {"rows": rows})


@require_GET
def silent(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    return render(request, "iot/silent.html", {"rows": services.silent_devices()})


@require_GET
def stream(request: HttpRequest, uid: str) -> HttpResponseBase:
    """``text/event-stream`` of the device's new readings (``?since=<ISO>`` replays newer)."""
    device = _device(request, uid)
    since = None
    if request.GET.get("since"):
        since = parse_datetime(request.GET["since"].replace(" ", "+"))
        if since is None:
            raise Http404
    return open_stream(request, device, since)
