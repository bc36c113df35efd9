"""Signals from other modules' events: one ``ingest_*`` per consumed event turns its payload
into a :class:`~misto.situation.services.correlation.Signal` and hands it to
:func:`~misto.situation.services.correlation.attach_signal` (or clears what an all-clear
ends). The event's own words stay here; how signals become incidents is correlation's.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.contrib.gis.geos import GEOSGeometry
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from misto import twin
from misto.core.i18n import code_name
from misto.situation.models import (
    ACTIVE_STATUSES,
    Change,
    DeviceState,
    Emergency,
    Incident,
    IncidentSource,
    IncidentUpdate,
    Outage,
    RuleSource,
    Severity,
    Status,
    UpdateAction,
)
from misto.situation.services.correlation import (
    Signal,
    attach_signal,
    parse_time,
)
from misto.situation.services.dispatch import _resolve
from misto.situation.services.emergencies import _create_emergency
from misto.situation.services.livemap import record_change
from misto.situation.services.places import _valid_lon_lat, describe_place


def _str(payload: dict[str, Any], key: str) -> str:
    value = payload.get(key)
    return "" if value is None else str(value)


def _signal_place(payload: dict[str, Any]) -> tuple[float | None, float | None]:
    point = _valid_lon_lat(payload.get("lon"), payload.get("lat"))
    return (point[0], point[1]) if point else (None, None)


def ingest_report_created(payload: dict[str, Any]) -> Incident:
    """``reports.ReportCreated``: a citizen's report (web, phone 1580, Open311)."""
    lon, lat = _signal_place(payload)
    return attach_signal(Signal(
        module="reports", source_id=_str(payload, "report_id"), event="reports.ReportCreated",
        rule_source=RuleSource.REPORT_CATEGORY, rule_value=_str(payload, "category"),
        severity="", observed_at=parse_time(payload.get("created_at")),
        label=_str(payload, "category_title"), lon=lon, lat=lat,
        district=_str(payload, "district"), address=_str(payload, "address"),
        landmark=_str(payload, "landmark"), department=_str(payload, "department"),
        payload={key: payload.get(key) for key in (
            "public_id", "category", "category_title", "channel", "url", "author_user_id")},
    ))


CLOSED_REPORT_STATUSES = {"resolved", "rejected", "duplicate"}


def ingest_report_status(payload: dict[str, Any]) -> Incident | None:
    """``reports.ReportStatusChanged``: write it into the incident's history; an incident
    whose every source is a closed report is resolved with it."""
    report_id = _str(payload, "report_id")
    with transaction.atomic():
        row = (IncidentSource.objects.select_related("incident")
               .filter(module="reports", source_id=report_id).order_by("-pk").first())
        if row is None:
            return None
        status = _str(payload, "status")
        row.payload = {**row.payload, "status": status}
        row.cleared = status in CLOSED_REPORT_STATUSES
        row.save(update_fields=["payload", "cleared"])
        incident = row.incident
        IncidentUpdate.objects.create(
            incident=incident, at=parse_time(payload.get("changed_at")),
            action=UpdateAction.NOTE, status=incident.status,
            note=_str(payload, "note")[:2000],
            data={"module": "reports", "id": report_id, "report_status": status},
        )
        record_change(Change.Topic.INCIDENT, incident.pk)
        if incident.active and row.cleared and not incident.source_rows.filter(
                cleared=False).exists():
            _resolve(incident, None, _("All linked reports were closed."),
                     parse_time(payload.get("changed_at")))
        return incident


def _device_state(payload: dict[str, Any]) -> DeviceState:
    device_id = _str(payload, "device_id")
    device, _created = DeviceState.objects.select_for_update().get_or_create(
        device_id=device_id)
    lon, lat = _signal_place(payload)
    if lon is not None:
        device.lon, device.lat = lon, lat
    device.name = _str(payload, "device_name")[:200] or device.name
    device.model = _str(payload, "model")[:100] or device.model
    device.district = _str(payload, "district")[:40] or device.district
    if not device.district and device.lon is not None and device.lat is not None:
        device.district = describe_place(device.lon, device.lat).district
    return device


def ingest_reading(payload: dict[str, Any], event: str = "iot.ReadingOutOfRange"
                   ) -> Incident | None:
    """``iot.ReadingOutOfRange`` / ``iot.ContainerFull``; ``cleared`` ends the alert."""
    quantity = _str(payload, "quantity")
    device_id = _str(payload, "device_id")
    observed = parse_time(payload.get("observed_at"))
    cleared = bool(payload.get("cleared"))
    with transaction.atomic():
        device = _device_state(payload)
        alerts = dict(device.alerts or {})
        if cleared:
            alerts.pop(quantity, None)
        else:
            alerts[quantity] = payload.get("value")
        device.alerts = alerts
        if device.state != DeviceState.State.OFFLINE:
            device.state = DeviceState.State.ALERT if alerts else DeviceState.State.OK
        device.quantity = quantity[:60]
        value = payload.get("value")
        device.value = float(value) if isinstance(value, int | float) else None
        device.updated_at = observed
        device.save()
        record_change(Change.Topic.DEVICE, device.device_id)
        source_id = f"{device_id}:{quantity}"
        if cleared:
            return _clear_source("iot", source_id, observed)
        lon, lat = _signal_place(payload)
        container = event == "iot.ContainerFull"
        return attach_signal(Signal(
            module="iot", source_id=source_id, event=event,
            rule_source=RuleSource.CONTAINER_FULL if container else RuleSource.IOT_QUANTITY,
            rule_value=quantity, severity=_str(payload, "severity"), observed_at=observed,
            label=_("%(device)s: %(quantity)s %(value)s (threshold %(threshold)s)") % {
                "device": _str(payload, "device_name") or device_id,
                "quantity": code_name("quantity", quantity),
                "value": payload.get("value"), "threshold": payload.get("threshold")},
            lon=lon, lat=lat, district=_str(payload, "district"),
            payload={key: payload.get(key) for key in (
                "device_id", "device_name", "model", "quantity", "value", "threshold",
                "rule_id", "public_impact", "feature_id")},
        ))


def _clear_source(module: str, source_id: str, when: datetime) -> Incident | None:
    """An alert ended: mark its source; an incident nobody has taken on, whose every source
    has cleared, resolves itself."""
    row = (IncidentSource.objects.select_related("incident")
           .filter(module=module, source_id=source_id, incident__status__in=ACTIVE_STATUSES)
           .order_by("-pk").first())
    if row is None:
        return None
    row.cleared = True
    row.last_seen_at = max(row.last_seen_at, when)
    row.save(update_fields=["cleared", "last_seen_at"])
    incident = row.incident
    if incident.status == Status.OPEN and not incident.source_rows.filter(
            cleared=False).exists():
        _resolve(incident, None, _("The readings are back to normal."), when)
    else:
        record_change(Change.Topic.INCIDENT, incident.pk)
    return incident


def ingest_device_offline(payload: dict[str, Any]) -> Incident | None:
    """``iot.DeviceOffline``; ``back_online`` ends it."""
    back = bool(payload.get("back_online"))
    observed = parse_time(payload.get("last_seen") if not back else None)
    with transaction.atomic():
        device = _device_state(payload)
        if back:
            device.state = (DeviceState.State.ALERT if device.alerts
                            else DeviceState.State.OK)
        else:
            device.state = DeviceState.State.OFFLINE
        device.updated_at = timezone.now()
        device.save()
        record_change(Change.Topic.DEVICE, device.device_id)
        source_id = f"{device.device_id}:offline"
        if back:
            return _clear_source("iot", source_id, timezone.now())
        lon, lat = _signal_place(payload)
        return attach_signal(Signal(
            module="iot", source_id=source_id, event="iot.DeviceOffline",
            rule_source=RuleSource.DEVICE_OFFLINE, rule_value="", severity=Severity.INFO,
            observed_at=observed,
            label=_("Device %(name)s is offline") % {"name": device.name or device.device_id},
            lon=lon, lat=lat, district=_str(payload, "district"),
            payload={"device_id": device.device_id, "last_seen": payload.get("last_seen")},
        ))


def ingest_device_registry(payload: dict[str, Any]) -> None:
    """``iot.DeviceRegistryChanged``: count the city's devices (their place and state come
    with their alerts); an inactive or removed device leaves the picture."""
    device_id = _str(payload, "device_id")[:100]
    if not device_id:
        return
    gone = payload.get("status") == "inactive" or payload.get("action") in {"removed",
                                                                            "deleted"}
    with transaction.atomic():
        if gone:
            if DeviceState.objects.filter(device_id=device_id).delete()[0]:
                record_change(Change.Topic.DEVICE, device_id)
            return
        _device, created = DeviceState.objects.get_or_create(device_id=device_id)
        if created:
            record_change(Change.Topic.DEVICE, device_id)


def _geometry(value: Any) -> GEOSGeometry | None:
    """An announced area read by the twin's one area reader; an unreadable one is left out
    (the announcement still counts: it was checked where it was made)."""
    if not value:
        return None
    try:
        return twin.parse_area(value)
    except twin.TwinError:
        return None


def ingest_outage(payload: dict[str, Any]) -> Incident | None:
    """``notifications.OutageAnnounced``: kept for the map; an emergency outage is also an
    incident and an emergency grouping the incidents in its area."""
    announcement = _str(payload, "announcement_id")
    kind = _str(payload, "kind") or "other"
    emergency = bool(payload.get("emergency"))
    districts = [str(d) for d in payload.get("districts") or [] if d]
    area = payload.get("area_geojson")
    if isinstance(area, str):
        try:
            area = json.loads(area)
        except ValueError:
            area = None
    geometry = _geometry(area)
    with transaction.atomic():
        Outage.objects.update_or_create(announcement_id=announcement, defaults={
            "kind": kind[:20], "emergency": emergency,
            "title": _str(payload, "title")[:300],
            "starts_at": parse_time(payload.get("starts_at")) if payload.get("starts_at")
            else None,
            "ends_at": _future_time(payload.get("ends_at")),
            "districts": districts, "area": area if geometry is not None else None,
            "building_count": int(payload.get("building_count") or 0),
        })
        record_change(Change.Topic.OUTAGE, announcement)
        if not emergency:
            return None
        if not Emergency.objects.filter(announcement_id=announcement).exists():
            _create_emergency(
                title=_str(payload, "title") or _("Emergency outage"), kind=kind,
                districts=districts, area=geometry, note="", user=None,
                announcement_id=announcement, publish_it=False,
            )
        lon = lat = None
        if geometry is not None:
            centre = geometry.point_on_surface
            lon, lat = centre.x, centre.y
        return attach_signal(Signal(
            module="notifications", source_id=announcement,
            event="notifications.OutageAnnounced", rule_source=RuleSource.OUTAGE,
            rule_value=kind, severity=Severity.CRITICAL,
            observed_at=parse_time(payload.get("starts_at")),
            label=_str(payload, "title"), lon=lon, lat=lat,
            district=districts[0] if len(districts) == 1 else "",
            payload={"kind": kind, "districts": districts,
                     "building_count": payload.get("building_count")},
        ))


def _future_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        when = parse_datetime(value)
    except ValueError:
        return None
    if when is not None and timezone.is_naive(when):
        when = timezone.make_aware(when)
    return when


def ingest_route_overloaded(payload: dict[str, Any]) -> Incident | None:
    """``transit.RouteOverloaded``: a route's vehicles have run over the load threshold long
    enough (add vehicles); ``cleared`` when it is back under it. One source per route."""
    route = _str(payload, "route_id")
    now = timezone.now()
    if payload.get("cleared"):
        return _clear_source("transit", route, now)
    lon, lat = _signal_place(payload)
    label = _("Route %(route)s overloaded: %(percent)s %% full") % {
        "route": _str(payload, "route_name") or route,
        "percent": payload.get("occupancy_percent", "?")}
    return attach_signal(Signal(
        module="transit", source_id=route, event="transit.RouteOverloaded",
        rule_source=RuleSource.TRANSIT_OVERLOAD, rule_value="", severity=Severity.WARNING,
        observed_at=now, label=str(label), lon=lon, lat=lat, department="transport",
        payload={key: payload.get(key) for key in ("route_name", "occupancy_percent",
                                                   "vehicles", "since")}))


def ingest_fuel_drain(payload: dict[str, Any]) -> Incident:
    """``fleet.FuelDrainDetected``: litres gone from a parked municipal vehicle's tank; one
    source per vehicle and instant, for the vehicle's department (the transport one if none)."""
    lon, lat = _signal_place(payload)
    label = _("Fuel drained from %(plate)s: %(litres)s l") % {
        "plate": _str(payload, "plate"), "litres": payload.get("litres", "?")}
    return attach_signal(Signal(
        module="fleet", source_id=f"{_str(payload, 'vehicle_id')}:{_str(payload, 'at')}",
        event="fleet.FuelDrainDetected", rule_source=RuleSource.FUEL_DRAIN, rule_value="",
        severity=Severity.WARNING, observed_at=timezone.now(), label=str(label), lon=lon,
        lat=lat, department=_str(payload, "department") or "transport",
        payload={key: payload.get(key) for key in ("plate", "litres", "at", "level_before",
                                                   "level_after")}))


def ingest_overdue_answer(payload: dict[str, Any], module: str, event: str) -> Incident:
    """``petitions.PetitionOverdue`` / ``appeals.AppealOverdue``: a resident waits past the
    legal deadline; one incident per petition or appeal, for the department that owes it."""
    label = (_("Petition %(number)s: the answer is overdue") if module == "petitions"
             else _("Appeal %(number)s: the answer is overdue")) % {
        "number": _str(payload, "number")}
    return attach_signal(Signal(
        module=module, source_id=_str(payload, "petition_id" if module == "petitions"
                                      else "appeal_id"),
        event=event, rule_source=RuleSource.OVERDUE_ANSWER, rule_value=module,
        severity=Severity.WARNING, observed_at=timezone.now(), label=str(label),
        department=_str(payload, "department"),
        payload={key: payload.get(key) for key in ("number", "due", "answer_due", "url")}))
