"""Figures: response and resolution times, and what the dashboard and big screen show.

Read-only, from the situational centre's own tables, so that leadership's numbers never
depend on another module being reachable. Each figure counts exactly what the page it
summarises shows, from the same rows (tests recount each one independently):

- open incidents (total, by kind, district, severity): the live map's active incidents;
- devices (total, online, silent, alerting): the devices layer, kept from the iot events
  (a registered device is "never seen" until an event says it was heard from, as on the
  iot module's device pages; online = heard from and not offline; silent = the rest, as
  on its silent-devices page);
- reports today: the citizens' reports the reports module announced (``ReportCreated``)
  with a creation time since midnight in the city's time zone (``TIME_ZONE``), whatever
  time zone a request runs in;
- current outages, active emergencies, the 14-day trend: the outages layer, the
  emergencies list and the incidents' own times, days in the city's time zone.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from misto import twin
from misto.situation.models import (
    ACTIVE_STATUSES,
    DeviceState,
    Emergency,
    Incident,
    IncidentKind,
    IncidentSource,
    Outage,
    Severity,
)
from misto.situation.services.kinds import AIR_QUANTITIES, NOISE_QUANTITIES


@dataclass
class TimeFigures:
    """Response (opened → assigned) and resolution (opened → resolved) times, in minutes."""

    code: str
    title: str
    opened: int = 0
    assigned: int = 0
    resolved: int = 0
    response_median: float | None = None
    response_mean: float | None = None
    response_within: float | None = None  # percent of assigned incidents within target
    response_target: int | None = None
    resolution_median: float | None = None
    resolution_mean: float | None = None
    resolution_within: float | None = None
    resolution_target: int | None = None


def _minutes(delta: timedelta) -> float:
    return delta.total_seconds() / 60.0


def _figures(code: str, title: str, rows: list[tuple[Any, ...]],
             kinds: dict[int, IncidentKind], one_kind: IncidentKind | None) -> TimeFigures:
    result = TimeFigures(code, title, opened=len(rows))
    response = []
    response_ok = 0
    resolution = []
    resolution_ok = 0
    for kind_id, opened, assigned, resolved in rows:
        kind = kinds[kind_id]
        if assigned is not None:
            minutes = max(0.0, _minutes(assigned - opened))
            response.append(minutes)
            response_ok += minutes <= kind.response_target_minutes
        if resolved is not None:
            minutes = max(0.0, _minutes(resolved - opened))
            resolution.append(minutes)
            resolution_ok += minutes <= kind.resolution_target_minutes
    result.assigned = len(response)
    result.resolved = len(resolution)
    if response:
        result.response_median = round(statistics.median(response), 1)
        result.response_mean = round(statistics.fmean(response), 1)
        result.response_within = round(100.0 * response_ok / len(response), 1)
    if resolution:
        result.resolution_median = round(statistics.median(resolution), 1)
        result.resolution_mean = round(statistics.fmean(resolution), 1)
        result.resolution_within = round(100.0 * resolution_ok / len(resolution), 1)
    if one_kind is not None:
        result.response_target = one_kind.response_target_minutes
        result.resolution_target = one_kind.resolution_target_minutes
    return result


def response_figures(since: datetime, until: datetime | None = None) -> list[TimeFigures]:
    """Per kind, then for all kinds (code ``all``): figures for incidents opened in
    [since, until). Within-target counts use each incident's own kind's target."""
    kinds = {kind.pk: kind for kind in IncidentKind.objects.all()}
    rows = Incident.objects.filter(opened_at__gte=since)
    if until is not None:
        rows = rows.filter(opened_at__lt=until)
    data = list(rows.values_list("kind_id", "opened_at", "assigned_at", "resolved_at"))
    by_kind: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in data:
        by_kind[row[0]].append(row)
    out = [_figures(kinds[kind_id].code, kinds[kind_id].title(), rows_, kinds, kinds[kind_id])
           for kind_id, rows_ in sorted(by_kind.items(), key=lambda i: kinds[i[0]].code)]
    out.append(_figures("all", _("All kinds"), data, kinds, None))
    return out


@dataclass
class Bar:
    label: str
    value: int
    key: str = ""
    color: str = "#0b5cad"


@dataclass
class Dashboard:
    now: datetime
    open_total: int
    by_kind: list[Bar]
    by_district: list[Bar]
    by_severity: dict[str, int]
    figures: list[TimeFigures]
    devices_total: int
    devices_online: int
    devices_silent: int
    devices_alerting: int
    reports_today: int
    environment: list[dict[str, Any]]
    trend_opened: list[Bar]
    trend_resolved: list[Bar]
    emergencies: list[Emergency]
    outages_current: int


def city_zone() -> ZoneInfo:
    """The city's time zone (``TIME_ZONE``): "today" on the dashboard is the city's day,
    not the server's or a request's."""
    return ZoneInfo(settings.TIME_ZONE)


def local_midnight(now: datetime | None = None) -> datetime:
    """The start of the city's day that ``now`` falls in."""
    now = timezone.localtime(now or timezone.now(), city_zone())
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def _city_day(when: datetime) -> str:
    return timezone.localtime(when, city_zone()).date().isoformat()


def reports_created_since(since: datetime) -> int:
    """Citizens' reports created since ``since``: one per report the reports module
    announced, by the creation time it announced."""
    return (IncidentSource.objects
            .filter(module="reports", event="reports.ReportCreated", observed_at__gte=since)
            .values("source_id").distinct().count())


def dashboard(period_days: int = 30, trend_days: int = 14) -> Dashboard:
    """Everything the dashboard and the big screen show, from the situation's own tables."""
    now = timezone.now()
    kinds = {kind.pk: kind for kind in IncidentKind.objects.all()}
    active = Incident.objects.filter(status__in=ACTIVE_STATUSES)
    by_kind = [Bar(kinds[row["kind_id"]].title(), row["n"], kinds[row["kind_id"]].code,
                   kinds[row["kind_id"]].color)
               for row in active.values("kind_id").annotate(n=Count("id")).order_by("-n")]
    by_district = [Bar(_district_named(row["district"], row["district_name"]), row["n"],
                       row["district"])
                   for row in active.values("district", "district_name")
                   .annotate(n=Count("id")).order_by("-n", "district_name")]
    severity = Counter(dict(active.values_list("severity").annotate(n=Count("id"))))
    devices = Counter(dict(DeviceState.objects.values_list("state").annotate(n=Count("id"))))
    online = sum(devices.get(state, 0) for state in DeviceState.SEEN)
    trend_start = local_midnight(now) - timedelta(days=trend_days - 1)
    opened_days: Counter[str] = Counter()
    for when in Incident.objects.filter(opened_at__gte=trend_start).values_list(
            "opened_at", flat=True):
        opened_days[_city_day(when)] += 1
    resolved_days: Counter[str] = Counter()
    for resolved in Incident.objects.filter(resolved_at__gte=trend_start).values_list(
            "resolved_at", flat=True):
        if resolved is not None:
            resolved_days[_city_day(resolved)] += 1
    days = [(trend_start + timedelta(days=i)).date() for i in range(trend_days)]
    return Dashboard(
        now=now, open_total=sum(bar.value for bar in by_kind), by_kind=by_kind,
        by_district=by_district,
        by_severity={level: severity.get(level, 0) for level in Severity.values},
        figures=response_figures(now - timedelta(days=period_days)),
        devices_total=sum(devices.values()), devices_online=online,
        devices_silent=sum(devices.values()) - online,
        devices_alerting=devices.get(DeviceState.State.ALERT, 0),
        reports_today=reports_created_since(local_midnight(now)),
        environment=environment_by_district(),
        trend_opened=[Bar(day.strftime("%d.%m"), opened_days[day.isoformat()], day.isoformat())
                      for day in days],
        trend_resolved=[Bar(day.strftime("%d.%m"), resolved_days[day.isoformat()],
                            day.isoformat()) for day in days],
        emergencies=list(Emergency.objects.filter(ended_at__isnull=True)),
        outages_current=Outage.objects.filter(
            Q(ends_at__isnull=True) | Q(ends_at__gt=now)).count(),
    )


def _district_named(code: str | None, stored: str) -> str:
    """A district's name in the reader's language (the name stored with an incident is in
    the city's language); the stored name or the code for a district the twin lacks."""
    if not code:
        return stored or _("Outside districts")
    name = twin.district_name(code)
    return stored if name == code and stored else name


def environment_by_district() -> list[dict[str, Any]]:
    """Air-quality and noise sensors per district: how many, how many over a threshold now,
    and the highest value over it (what the iot events told us)."""
    table: dict[str, dict[str, Any]] = {}
    for device in DeviceState.objects.exclude(quantity="").only(
            "district", "quantity", "alerts", "state"):
        quantities = {device.quantity.lower(), *(q.lower() for q in device.alerts or {})}
        group = ("air" if quantities & AIR_QUANTITIES else
                 "noise" if quantities & NOISE_QUANTITIES else None)
        if group is None:
            continue
        row = table.setdefault(device.district or "", {
            "district": device.district, "air": 0, "air_alerts": 0, "air_max": None,
            "noise": 0, "noise_alerts": 0, "noise_max": None})
        row[group] += 1
        values = [v for q, v in (device.alerts or {}).items()
                  if isinstance(v, int | float) and q.lower() in
                  (AIR_QUANTITIES if group == "air" else NOISE_QUANTITIES)]
        if values:
            row[f"{group}_alerts"] += 1
            current = row[f"{group}_max"]
            row[f"{group}_max"] = max(values) if current is None else max(current, *values)
    for row in table.values():
        row["name"] = _district_named(row["district"], "")
    return sorted(table.values(), key=lambda r: r["name"])


def city_bounds() -> list[float] | None:
    """[west, south, east, north] of the city's districts (the twin's), or None."""
    extent = twin.districts_extent()
    return list(extent) if extent is not None else None
