"""Coverage: which indicators have a value for which periods, which are missing and why."""

from __future__ import annotations

from dataclasses import dataclass

from misto.core.registry import indicator_functions
from misto.index.models import Indicator, Method, Value
from misto.index.services import formula as formulas


@dataclass(frozen=True)
class Row:
    indicator: Indicator
    periods: dict[str, bool]
    available: bool  # False: the module owning its function is switched off
    source: str = ""  # the first period's value: its function or its source document


def coverage(periods: list[str]) -> list[Row]:
    rows_of = Value.objects.filter(period__in=periods, district="", superseded_at=None)
    have = set(rows_of.values_list("indicator_id", "period"))
    sources = {indicator: function or source for indicator, function, source in
               rows_of.filter(period=periods[0]).values_list("indicator_id", "function",
                                                              "source")}
    functions = indicator_functions()
    rows = []
    for indicator in Indicator.objects.filter(active=True).order_by("theme", "code"):
        available = (indicator.method != Method.COMPUTED
                     or formulas.is_expression(indicator.formula)
                     or indicator.formula in functions)
        rows.append(Row(indicator, {p: (indicator.pk, p) in have for p in periods},
                        available, sources.get(indicator.pk, "")))
    return rows


def summary(periods: list[str]) -> dict[str, dict[str, int]]:
    """method -> {"total", "with_value"} for the last of ``periods``."""
    rows = coverage(periods)
    last = periods[-1]
    counts: dict[str, dict[str, int]] = {m.value: {"total": 0, "with_value": 0}
                                         for m in Method}
    for row in rows:
        counts[row.indicator.method]["total"] += 1
        counts[row.indicator.method]["with_value"] += int(row.periods[last])
    return counts
