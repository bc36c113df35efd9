"""Refuels and drains from a noisy fuel-level sensor (Traccar's most-asked feature: a refuel
must not make consumption negative, and a drain must be a fact with litres, place and time).

Two filters make a jump in the tank a fact, not a slosh:

- a **median** of the last ``WINDOW`` raw readings: one wild reading (a slosh on a bump, a
  bad frame) never moves the filtered level;
- **hysteresis**: the level is compared with a *settled* reference, and a change counts only
  when it reaches ``MISTO_FLEET_FUEL_EVENT_LITRES`` and the filtered level has settled again
  (the last ``SETTLE`` medians within ``SETTLE_L`` of each other). While the vehicle moves the
  reference follows the level (that fall is consumption, never a drain); once it stands and the
  level has settled the reference is anchored there and stays put, so a slow siphon adds up
  to a drain too (anchoring after settling keeps the last minutes' sloshes and the median's
  lag out of the next refuel's litres).

:func:`step` is pure (the detector's memory in, the memory out and the change found), so the
tests feed it noisy series directly; ``tracking`` keeps the memory in ``VehicleState``.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field, replace
from datetime import datetime

WINDOW = 5
SETTLE = 3
SETTLE_L = 1.5


@dataclass(frozen=True)
class Memory:
    raw: tuple[float, ...] = ()
    medians: tuple[float, ...] = ()
    level: float | None = None  # the settled reference
    pending: dict[str, object] | None = field(default=None)  # kind, since (ISO), from
    anchored: bool = False  # the reference was taken standing, after the level settled


@dataclass(frozen=True)
class Change:
    kind: str  # "refuel" or "drain"
    since: datetime
    litres: float
    before: float
    after: float


def step(memory: Memory, raw: float, ts: datetime, *, parked: bool,
         threshold: float) -> tuple[Memory, Change | None]:
    """One raw reading through the filter: the new memory and the refuel or drain it
    completed (None most of the time)."""
    window = (*memory.raw, raw)[-WINDOW:]
    median = statistics.median(window)
    medians = (*memory.medians, median)[-SETTLE:]
    memory = replace(memory, raw=window, medians=medians)
    if memory.level is None:
        return (replace(memory, level=median) if len(window) >= SETTLE else memory), None
    settled = len(medians) == SETTLE and max(medians) - min(medians) <= SETTLE_L
    pending = memory.pending
    if pending is not None:
        start = float(pending["from"])  # type: ignore[arg-type]
        change = median - start
        since = datetime.fromisoformat(str(pending["since"]))
        if pending["kind"] == "refuel":
            if change < threshold:  # it fell back: a slosh, not fuel
                return replace(memory, pending=None, level=start if parked else median), None
            if settled or not parked:
                return (replace(memory, pending=None, level=median, anchored=parked),
                        Change("refuel", since, round(change, 1), start, median))
            return memory, None
        if not parked:  # set off before it settled: the fall is driving, not a drain
            return replace(memory, pending=None, level=median, anchored=False), None
        if -change < threshold:
            return replace(memory, pending=None), None
        if settled:
            return (replace(memory, pending=None, level=median, anchored=True),
                    Change("drain", since, round(-change, 1), start, median))
        return memory, None
    delta = median - memory.level
    if delta >= threshold:
        return replace(memory, pending={"kind": "refuel", "since": ts.isoformat(),
                                        "from": memory.level}), None
    if delta <= -threshold and parked:
        return replace(memory, pending={"kind": "drain", "since": ts.isoformat(),
                                        "from": memory.level}), None
    if not parked:
        return replace(memory, level=median, anchored=False), None
    if settled and not memory.anchored:
        return replace(memory, level=median, anchored=True), None
    return memory, None


def current(memory: Memory) -> float | None:
    """The filtered level now (the last median), or the reference before any."""
    return memory.medians[-1] if memory.medians else memory.level
