"""Rules over readings: thresholds with hysteresis, rate of change, exactly-once events.

A rule applies to a device when its scope matches (a device, a model, a district, or every
device when none is set) and the device's model reports the rule's quantity. For each
(rule, device) a :class:`~misto.iot.models.RuleState` row says whether the rule is raised;
it is locked (``SELECT ... FOR UPDATE``) while a batch is evaluated, so two consumers never
raise the same crossing twice. Readings not newer than the state's ``last_ts`` are ignored
by the rules: a redelivered or late message never raises an event again.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import connection

from misto.core.bus import publish_many
from misto.iot.events import ContainerFull, ReadingOutOfRange
from misto.iot.ingest import DeviceInfo, Row
from misto.iot.models import Quantity, Rule, RuleState

if TYPE_CHECKING:
    import psycopg


@dataclass(frozen=True)
class RuleInfo:
    pk: int
    kind: str
    quantity: str
    model_id: int | None
    device_id: int | None
    district: str
    operator: str
    threshold: float
    clear_at: float
    severity: str
    public_impact: bool
    raises: str

    def applies_to(self, device: DeviceInfo) -> bool:
        if self.device_id is not None and self.device_id != device.pk:
            return False
        if self.model_id is not None and self.model_id != device.model_id:
            return False
        return not (self.district and self.district != device.district)


class RuleIndex:
    """Active value rules by quantity, cached for ``ttl`` seconds."""

    def __init__(self, ttl: float = 10.0) -> None:
        self.ttl = ttl
        self.loaded_at = 0.0
        self.by_quantity: dict[str, list[RuleInfo]] = {}
        self.units: dict[str, str] = {}
        self.lock = threading.Lock()

    def refresh(self, force: bool = False) -> None:
        if not force and time.monotonic() - self.loaded_at < self.ttl:
            return
        by_quantity: dict[str, list[RuleInfo]] = defaultdict(list)
        rules = Rule.objects.filter(active=True, kind__in=[Rule.Kind.THRESHOLD, Rule.Kind.RATE])
        for rule in rules.exclude(threshold=None):
            clear_at = rule.clear_at if rule.clear_at is not None else rule.threshold
            by_quantity[rule.quantity].append(RuleInfo(
                pk=rule.pk, kind=rule.kind, quantity=rule.quantity, model_id=rule.model_id,
                device_id=rule.device_id, district=rule.district, operator=rule.operator,
                threshold=float(rule.threshold or 0.0), clear_at=float(clear_at or 0.0),
                severity=rule.severity, public_impact=rule.public_impact, raises=rule.raises,
            ))
        units = dict(Quantity.objects.values_list("code", "unit_label"))
        with self.lock:
            self.by_quantity = dict(by_quantity)
            self.units = units
            self.loaded_at = time.monotonic()

    def for_reading(self, device: DeviceInfo, quantity: str) -> list[RuleInfo]:
        return [rule for rule in self.by_quantity.get(quantity, ())
                if rule.applies_to(device)]


_index: RuleIndex | None = None


def rule_index() -> RuleIndex:
    global _index
    if _index is None:
        _index = RuleIndex()
    _index.refresh()
    return _index


def reset_rule_index() -> None:
    global _index
    _index = None


def _beyond(rule: RuleInfo, value: float, limit: float) -> bool:
    return value > limit if rule.operator == "above" else value < limit


def _next_state(rule: RuleInfo, active: bool, value: float,
                previous: tuple[datetime, float] | None, ts: datetime) -> tuple[bool, float]:
    """The rule's state after one reading, and the figure that decided it.

    Not raised: raises once the figure is beyond the threshold. Raised: stays raised while
    the figure is beyond the clearing level (hysteresis), so a value hovering around the
    threshold raises one event, not one per reading.
    """
    if rule.kind == "rate":
        if previous is None:
            return active, 0.0
        minutes = (ts - previous[0]).total_seconds() / 60
        if minutes <= 0:
            return active, 0.0
        rate = abs(value - previous[1]) / minutes
        return rate > (rule.clear_at if active else rule.threshold), rate
    return _beyond(rule, value, rule.clear_at if active else rule.threshold), value


def evaluate(rows: Sequence[Row], devices: dict[int, DeviceInfo]) -> int:
    """Apply the rules to a batch inside the caller's transaction; returns events published."""
    index = rule_index()
    series: dict[tuple[int, int], list[tuple[datetime, float]]] = defaultdict(list)
    rules_by_pk: dict[int, RuleInfo] = {}
    for device_pk, quantity, ts, value in rows:
        rules = index.by_quantity.get(quantity)
        if not rules:
            continue
        device = devices[device_pk]
        for rule in rules:
            if rule.applies_to(device):
                series[(rule.pk, device_pk)].append((ts, value))
                rules_by_pk[rule.pk] = rule
    if not series:
        return 0
    states = _locked_states(series.keys())
    events: list[Any] = []
    changed: list[State] = []
    for key in sorted(series):
        rule, state = rules_by_pk[key[0]], states[key]
        device = devices[key[1]]
        points = sorted(series[key])
        dirty = False
        for ts, value in points:
            if state.last_ts is not None and ts <= state.last_ts:
                continue  # already seen (redelivery) or late: never raises twice
            previous = ((state.last_ts, state.last_value)
                        if state.last_ts is not None and state.last_value is not None else None)
            active, figure = _next_state(rule, state.active, value, previous, ts)
            if active != state.active:
                events.append(_event(rule, device, value, ts, cleared=not active,
                                     figure=figure, unit=index.units.get(rule.quantity, "")))
                state.active = active
                state.since = ts
            state.last_ts, state.last_value = ts, value
            dirty = True
        if dirty:
            changed.append(state)
    if changed:
        _save_states(changed)
    publish_many(events)  # the batch's events in two statements, in order
    return len(events)


def bound_cursor() -> psycopg.Cursor[Any]:
    """A PostgreSQL cursor of the current transaction that sends parameters apart from the
    statement, in binary, and prepares a statement it runs often: Django's cursors quote
    every element of a batch's arrays into the text of the query."""
    # Imported here: only PostgreSQL runs this (its backend has loaded psycopg already);
    # on SQLite importing it would cost every process ~0.05 s at start-up for nothing.
    import psycopg

    connection.ensure_connection()
    return psycopg.Cursor(connection.connection)


def _save_states(states: list[State]) -> None:
    """One statement for the batch's rule states (the ORM's bulk_update is slow here)."""
    if connection.vendor == "postgresql":
        with bound_cursor() as cursor:
            cursor.execute(
                "UPDATE iot_rulestate s SET active = v.active, since = v.since, "
                "last_ts = v.last_ts, last_value = v.last_value FROM unnest("
                "%b::bigint[], %b::boolean[], %b::timestamptz[], %b::timestamptz[], "
                "%b::float8[]) AS v(id, active, since, last_ts, last_value) WHERE s.id = v.id",
                [[s.pk for s in states], [s.active for s in states],
                 [s.since for s in states], [s.last_ts for s in states],
                 [s.last_value for s in states]],
            )
    else:
        with connection.cursor() as cursor:
            adapt = connection.ops.adapt_datetimefield_value
            cursor.executemany(
                "UPDATE iot_rulestate SET active = %s, since = %s, last_ts = %s, "
                "last_value = %s WHERE id = %s",
                [(s.active, adapt(s.since), adapt(s.last_ts), s.last_value, s.pk)
                 for s in states],
            )


@dataclass
class State:
    """A locked RuleState row, as the batch evaluation reads and writes it."""

    pk: int
    active: bool
    since: datetime | None
    last_ts: datetime | None
    last_value: float | None


def _locked_states(keys: Iterable[tuple[int, int]]) -> dict[tuple[int, int], State]:
    """Lock (and create when missing) the state rows of the batch's (rule, device) pairs."""
    wanted = set(keys)
    rule_ids = sorted({rule for rule, _ in wanted})
    device_ids = sorted({device for _, device in wanted})
    postgres = connection.vendor == "postgresql"

    def load() -> dict[tuple[int, int], State]:
        if postgres:
            with bound_cursor() as cursor:
                cursor.execute(
                    "SELECT id, rule_id, device_id, active, since, last_ts, last_value "
                    "FROM iot_rulestate WHERE rule_id = ANY(%b) AND device_id = ANY(%b) "
                    "ORDER BY id FOR UPDATE", [rule_ids, device_ids])
                rows = cursor.fetchall()
        else:  # SQLite: the write transaction already excludes other writers
            rows = list(RuleState.objects.filter(
                rule_id__in=rule_ids, device_id__in=device_ids).order_by("pk").values_list(
                "pk", "rule_id", "device_id", "active", "since", "last_ts", "last_value"))
        return {(r[1], r[2]): State(r[0], bool(r[3]), r[4], r[5], r[6])
                for r in rows if (r[1], r[2]) in wanted}

    states = load()
    missing = wanted - states.keys()
    if missing:
        RuleState.objects.bulk_create(
            [RuleState(rule_id=rule, device_id=device) for rule, device in sorted(missing)],
            ignore_conflicts=True,
        )
        states = load()
    return states


def _event(rule: RuleInfo, device: DeviceInfo, value: float, ts: datetime, *,
           cleared: bool, figure: float, unit: str) -> Any:
    event_class: Any = ContainerFull if rule.raises == "container_full" else ReadingOutOfRange
    return event_class(
        device_id=device.uid, device_name=device.name, model=device.model_code,
        quantity=rule.quantity, value=figure if rule.kind == "rate" else value,
        threshold=rule.clear_at if cleared and rule.kind == "threshold" else rule.threshold,
        rule_id=rule.pk, severity=rule.severity, public_impact=rule.public_impact,
        district=device.district or None, lon=device.lon, lat=device.lat,
        feature_id=device.feature_id, observed_at=ts.isoformat(), cleared=cleared,
        kind=rule.kind, unit=unit,
    )
