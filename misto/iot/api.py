"""The IoT HTTP API at /api/iot/: devices, history, aggregates, and the HTTP batch intake.

Errors are JSON ``{"error": <code>, "detail": <reason>}`` with a 4xx status: handlers raise
``IotError`` (codes in ``misto.iot.errors``) and ``misto/api.py`` answers. The batch
intake answers 400 with the dead letter's id when a payload is refused: a batch is stored
whole or not at all.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.dateparse import parse_datetime
from ninja import Router

from misto.core.permissions import can
from misto.iot import services
from misto.iot.errors import IotCode, IotError
from misto.iot.ingest import parse_http_batch
from misto.iot.models import DeadLetter, Device

router = Router(tags=["iot"])


def _time(request: HttpRequest, name: str) -> datetime | None:
    text = request.GET.get(name)
    if not text:
        return None
    try:
        value = parse_datetime(text.replace(" ", "+"))
    except ValueError:
        value = None
    if value is None:
        raise IotError(IotCode.BAD_TIME, f"{name} must be an ISO 8601 time")
    return value


def _int(request: HttpRequest, name: str, default: int, low: int, high: int) -> int:
    text = request.GET.get(name)
    if text is None:
        return default
    try:
        value = int(text)
    except ValueError:
        raise IotError(IotCode.BAD_NUMBER, f"{name} must be an integer") from None
    if not low <= value <= high:
        raise IotError(IotCode.BAD_NUMBER, f"{name} must be between {low} and {high}")
    return value


def device_json(device: Device) -> dict[str, Any]:
    state = services.status(device)
    return {
        "id": device.uid, "name": device.name, "model": device.model.code,
        "type": device.model.entity_type,
        "lon": device.location.x if device.location else None,
        "lat": device.location.y if device.location else None,
        "district": device.district or None, "feature_id": device.feature_id,
        "status": state.code,
        "last_seen": state.last_seen.isoformat() if state.last_seen else None,
        "battery": state.battery,
        "latest": {q: {"value": v, "ts": ts.isoformat()}
                   for q, (ts, v) in sorted(services.latest(device).items())},
    }


@router.get("/devices")
def list_devices(request: HttpRequest) -> HttpResponse:
    rows = services.visible_devices(request.user).filter(active=True)
    model = request.GET.get("model")
    if model:
        rows = rows.filter(model__code=model)
    return JsonResponse({"devices": [device_json(d) for d in rows.order_by("uid")[:2000]]})


@router.get("/devices/{uid}")
def get_device(request: HttpRequest, uid: str) -> HttpResponse:
    return JsonResponse(device_json(services.access_device(request.user, uid)))


@router.get("/devices/{uid}/history")
def device_history(request: HttpRequest, uid: str) -> HttpResponse:
    """Raw readings of one quantity: ``?quantity=pm25&from=...&to=...&limit=...``."""
    device = services.access_device(request.user, uid)
    quantity = request.GET.get("quantity", "")
    start, end = services.time_range(_time(request, "from"), _time(request, "to"))
    limit = _int(request, "limit", 10_000, 1, 100_000)
    rows = services.history(device, quantity, start, end, limit)
    return JsonResponse({"device": uid, "quantity": quantity,
                         "readings": [{"ts": ts.isoformat(), "value": v} for ts, v in rows]})


@router.get("/devices/{uid}/aggregates")
def device_aggregates(request: HttpRequest, uid: str) -> HttpResponse:
    """Hourly or daily count/mean/min/max: ``?quantity=pm25&period=hour&from=...&to=...``."""
    device = services.access_device(request.user, uid)
    quantity = request.GET.get("quantity", "")
    period = request.GET.get("period", "hour")
    start, end = services.time_range(_time(request, "from"), _time(request, "to"))
    rows = services.aggregates(device, quantity, period, start, end)
    return JsonResponse({"device": uid, "quantity": quantity, "period": period,
                         "aggregates": [{"start": a.start.isoformat(), "count": a.count,
                                         "mean": a.mean, "min": a.minimum, "max": a.maximum}
                                        for a in rows]})


def _bearer(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else ""


@router.post("/readings")
def post_readings(request: HttpRequest) -> HttpResponse:
    """The HTTP batch intake for devices and gateways.

    Body ``{"readings": [{"device": "<id>", "ts": "<ISO 8601>", "values": {...}}]}``.
    Authenticate with the device's token (``Authorization: Bearer <token>``; ``device`` may
    then be left out) or an HTTP integration's secret header (any device).
    """
    token_device = services.device_for_token(_bearer(request))
    if token_device is None and services.check_integration("http", request.headers) is None:
        raise IotError(IotCode.UNAUTHORIZED, "a device token or an integration secret is needed",
                       status=401)
    stored = services.ingest_http(
        "http", request.path, request.body,
        lambda data, registry: parse_http_batch(data, registry, token_device=token_device))
    return JsonResponse({"stored": stored}, status=202)


@router.get("/dead-letters")
def dead_letters(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "iot.deadletter.view"):
        raise IotError(IotCode.FORBIDDEN, "staff only", status=403)
    limit = 200
    rows = DeadLetter.objects.all()[:limit]
    return JsonResponse({"dead_letters": [
        {"id": d.pk, "received_at": d.received_at.isoformat(), "channel": d.channel,
         "source": d.source, "device": d.device_uid, "reason": d.reason, "detail": d.detail}
        for d in rows]})
