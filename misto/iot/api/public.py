"""Everyone's IoT API: the public devices and their readings (open data); the registry's
readers (``iot.device.view``) see the private devices too, through the same routes."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from misto.core.schemas import refusals
from misto.iot import services
from misto.iot.api.schemas import (
    AggregatesOut,
    AggregatesQuery,
    DeviceOut,
    DevicesOut,
    DevicesQuery,
    HistoryQuery,
    IotHistoryOut,
)
from misto.iot.models import Device

router = Router()


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


@router.get("/devices", response={200: DevicesOut, **refusals(400)})
def list_devices(request: HttpRequest, filters: Query[DevicesQuery]) -> dict[str, Any]:
    rows = services.visible_devices(request.user).filter(active=True)
    if filters.model:
        rows = rows.filter(model__code=filters.model)
    return {"devices": [device_json(d) for d in rows.order_by("uid")[:2000]]}


@router.get("/devices/{uid}", response={200: DeviceOut, **refusals(400, 404)})
def get_device(request: HttpRequest, uid: str) -> dict[str, Any]:
    return device_json(services.access_device(request.user, uid))


@router.get("/devices/{uid}/history", response={200: IotHistoryOut, **refusals(400, 404)})
def device_history(request: HttpRequest, uid: str,
                   params: Query[HistoryQuery]) -> dict[str, Any]:
    """Raw readings of one quantity: ``?quantity=pm25&from=...&to=...&limit=...``."""
    device = services.access_device(request.user, uid)
    start, end = services.time_range(services.parse_time("from", params.start),
                                     services.parse_time("to", params.end))
    limit = services.check_limit("limit", params.limit, 1, 100_000)
    rows = services.history(device, params.quantity, start, end, limit)
    return {"device": uid, "quantity": params.quantity,
            "readings": [{"ts": ts.isoformat(), "value": v} for ts, v in rows]}


@router.get("/devices/{uid}/aggregates", response={200: AggregatesOut, **refusals(400, 404)})
def device_aggregates(request: HttpRequest, uid: str,
                      params: Query[AggregatesQuery]) -> dict[str, Any]:
    """Hourly or daily count/mean/min/max: ``?quantity=pm25&period=hour&from=...&to=...``."""
    device = services.access_device(request.user, uid)
    start, end = services.time_range(services.parse_time("from", params.start),
                                     services.parse_time("to", params.end))
    rows = services.aggregates(device, params.quantity, params.period, start, end)
    return {"device": uid, "quantity": params.quantity, "period": params.period,
            "aggregates": [{"start": a.start.isoformat(), "count": a.count, "mean": a.mean,
                            "min": a.minimum, "max": a.maximum} for a in rows]}
