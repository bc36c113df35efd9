"""Evaluating the computed indicators for a period, and storing values with lineage.

A function indicator asks the owning module's declared function (``MistoModule.indicators``)
and stores what it found, with the function's name and version, the rows it counted and the
time it ran. An expression indicator is evaluated afterwards over the period's current
values (computed and entered). A value that did not move is left as it is; one that moved
supersedes the current row, which stays in the history.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from misto.core import bus
from misto.core.registry import IndicatorFunction, indicator_functions
from misto.index.events import ValuesComputed
from misto.index.models import Indicator, Method, Value
from misto.index.services import formula as formulas
from misto.index.services.periods import Period, not_future, parse
from misto.twin import districts as twin_districts

log = logging.getLogger(__name__)
TOLERANCE = 1e-9


@dataclass(frozen=True)
class Lineage:
    """How a value was obtained (stored beside it, shown on click)."""

    method: str
    function: str = ""
    function_version: int | None = None
    inputs: int | None = None
    entered_by: Any = None
    source: str = ""


@dataclass
class Outcome:
    period: str
    computed: int = 0
    changed: int = 0
    empty: list[str] = field(default_factory=list)  # the function found nothing to measure
    unavailable: list[str] = field(default_factory=list)  # its module is switched off


def current(indicator: Indicator, period: str, district: str = "") -> Value | None:
    return Value.objects.filter(indicator=indicator, period=period, district=district,
                                superseded_at=None).first()


def store(indicator: Indicator, period: str, district: str, value: float,
          lineage: Lineage) -> tuple[Value, bool]:
    """(the current value, whether it changed). The caller holds a transaction."""
    now = timezone.now()
    existing = (Value.objects.select_for_update()
                .filter(indicator=indicator, period=period, district=district,
                        superseded_at=None).first())
    if (existing is not None and abs(existing.value - value) <= TOLERANCE
            and existing.method == lineage.method and existing.function == lineage.function
            and existing.function_version == lineage.function_version
            and lineage.method == Method.COMPUTED):
        return existing, False
    if existing is not None:
        existing.superseded_at = now
        existing.save(update_fields=["superseded_at"])
    row = Value.objects.create(
        indicator=indicator, period=period, district=district, value=value,
        method=lineage.method, function=lineage.function,
        function_version=lineage.function_version, inputs=lineage.inputs,
        entered_by=lineage.entered_by, source=lineage.source, recorded_at=now)
    return row, True


def _run(function: IndicatorFunction, period: Period, district: str | None) -> Any:
    start, end = period.bounds()
    return function.compute(start, end, district)


def compute(period_code: str, *, by_district: bool = True,
            codes: set[str] | None = None) -> Outcome:
    """Evaluate every active computed indicator (or those in ``codes``) for the period."""
    period = not_future(parse(period_code))
    functions = indicator_functions()
    outcome = Outcome(period.code)
    indicators = list(Indicator.objects.filter(active=True, method=Method.COMPUTED))
    if codes is not None:
        indicators = [indicator for indicator in indicators if indicator.code in codes]
    district_codes = [d.katottg for d in twin_districts()] if by_district else []
    direct = [i for i in indicators if not formulas.is_expression(i.formula)]
    derived = [i for i in indicators if formulas.is_expression(i.formula)]
    # Measure first, outside any transaction: the functions only read, and on SQLite a
    # write transaction held through a long recompute would queue the city's ingestion.
    measured: list[tuple[Indicator, str, IndicatorFunction, Any]] = []
    for indicator in direct:
        declared = functions.get(indicator.formula)
        if declared is None:
            outcome.unavailable.append(indicator.code)
            continue
        function = declared[1]
        places: list[str] = [""] + (district_codes if function.by_district else [])
        for place in places:
            measure = _run(function, period, place or None)
            if measure.value is None:
                if not place:
                    outcome.empty.append(indicator.code)
                continue
            measured.append((indicator, place, function, measure))
    with transaction.atomic():
        for indicator, place, function, measure in measured:
            _, changed = store(indicator, period.code, place, float(measure.value),
                               Lineage(Method.COMPUTED, function.name, function.version,
                                       measure.inputs))
            outcome.computed += 1
            outcome.changed += changed
        _derive(derived, period, outcome)
        if outcome.changed:
            bus.publish(ValuesComputed(period=period.code, computed=outcome.computed,
                                       changed=outcome.changed))
    return outcome


def _derive(derived: list[Indicator], period: Period, outcome: Outcome) -> None:
    """Expressions, in an order where each one's references are ready (the catalogue
    refuses loops, so the passes end)."""
    pending = list(derived)
    pending_codes = {indicator.code for indicator in pending}
    while pending:
        progressed = False
        for indicator in list(pending):
            refs = formulas.references(indicator.formula)
            if any(ref in pending_codes for ref in refs):
                continue
            values = dict(Value.objects.filter(
                indicator__code__in=refs, period=period.code, district="",
                superseded_at=None).values_list("indicator__code", "value"))
            result = formulas.evaluate(indicator.formula, values)
            pending.remove(indicator)
            pending_codes.discard(indicator.code)
            progressed = True
            if result is None:
                outcome.empty.append(indicator.code)
                continue
            _, changed = store(indicator, period.code, "", result,
                               Lineage(Method.COMPUTED, indicator.formula.strip(), 1,
                                       len(values)))
            outcome.computed += 1
            outcome.changed += changed
        if not progressed:
            outcome.empty.extend(indicator.code for indicator in pending)
            return


def compute_year(year: int, *, by_district: bool = True, months: bool = True
                 ) -> list[Outcome]:
    """The year and each of its quarters (and months) that have begun."""
    today = timezone.localdate()
    codes = [str(year)] + [f"{year}-Q{q}" for q in range(1, 5)] + (
        [f"{year}-{m:02d}" for m in range(1, 13)] if months else [])
    return [compute(code, by_district=by_district) for code in codes
            if parse(code).has_begun(today)]


def history(indicator: Indicator, period: str, district: str = "") -> list[Value]:
    """Every value the indicator had for the period, newest first."""
    return list(Value.objects.filter(indicator=indicator, period=period, district=district)
                .select_related("entered_by").order_by("-recorded_at", "-pk"))
