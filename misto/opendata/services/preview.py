"""What a dataset's page previews besides the table: a map for a table with geometry (the
page loads its GeoJSON file) and a chart for a time series (drawn here as SVG: no script,
readable offline and by screen readers through its summary)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import F

from misto.opendata.models import Resource, Row

POINTS = 500  # the latest points of a series drawn
SERIES = 6  # lines at most; a table with more values of its category shows its mean
WIDTH, HEIGHT, PAD = 640, 240, 36
COLOURS = ("#1c7ed6", "#e8590c", "#2b8a3e", "#ae3ec9", "#f08c00", "#495057")
MAP_BYTES = 3_000_000  # a bigger GeoJSON file is downloaded, not previewed


@dataclass(frozen=True)
class Line:
    label: str
    colour: str
    points: str  # the SVG polyline's points


@dataclass(frozen=True)
class Chart:
    """A line chart of ``value`` over ``time``, one line per value of ``category``."""

    resource: Resource
    time: str
    value: str
    category: str | None
    lines: list[Line]
    start: str
    end: str
    low: float
    high: float
    width: int = WIDTH
    height: int = HEIGHT


def _moment(value: Any) -> float | None:
    try:
        if isinstance(value, str) and "T" in value:
            return datetime.fromisoformat(value).timestamp()
        if isinstance(value, str):
            return datetime.combine(date.fromisoformat(value), datetime.min.time()).timestamp()
    except ValueError:
        return None
    return None


def chart(resource: Resource) -> Chart | None:
    """A chart of ``resource`` when it is a time series: a date or datetime column and a
    numeric one (not a coordinate); ``None`` otherwise."""
    fields = resource.schema.get("fields", [])
    time = next((f["name"] for f in fields if f["type"] in ("datetime", "date")), None)
    value = next((f["name"] for f in fields if f["type"] in ("number", "integer")
                  and f["name"] not in ("lon", "lat", "cell_lon", "cell_lat", "id")), None)
    if time is None or value is None or not resource.datastore:
        return None
    rows = list(Row.objects.filter(resource=resource)
                .order_by(F(f"data__{time}").desc(nulls_last=True), "-n")
                .values_list("data", flat=True)[:POINTS * SERIES])
    strings = [f["name"] for f in fields if f["type"] == "string"]
    category = next((name for name in strings
                     if 1 < len({row.get(name) for row in rows}) <= SERIES), None)
    sums: dict[str, dict[float, list[float]]] = {}
    for row in rows:
        moment, number = _moment(row.get(time)), row.get(value)
        if moment is None or not isinstance(number, int | float):
            continue
        label = str(row.get(category)) if category else value
        sums.setdefault(label, {}).setdefault(moment, []).append(float(number))
    means = {label: {moment: sum(values) / len(values) for moment, values in series.items()}
             for label, series in sums.items()}
    moments = [moment for series in means.values() for moment in series]
    numbers = [number for series in means.values() for number in series.values()]
    if len(set(moments)) < 2:
        return None
    first, last, low, high = min(moments), max(moments), min(numbers), max(numbers)
    span, rise = (last - first) or 1.0, (high - low) or 1.0
    lines = []
    for index, (label, series) in enumerate(sorted(means.items())):
        points = " ".join(
            f"{PAD + (moment - first) / span * (WIDTH - 2 * PAD):.1f},"
            f"{HEIGHT - PAD - (number - low) / rise * (HEIGHT - 2 * PAD):.1f}"
            for moment, number in sorted(series.items()))
        lines.append(Line(label, COLOURS[index % len(COLOURS)], points))
    shown = min(rows, key=lambda row: _moment(row.get(time)) or last).get(time), \
        max(rows, key=lambda row: _moment(row.get(time)) or first).get(time)
    return Chart(resource, time, value, category, lines, str(shown[0]), str(shown[1]),
                 round(low, 3), round(high, 3))


def map_resource(resources: list[Resource]) -> Resource | None:
    """The GeoJSON file the page's map shows, if one is small enough."""
    return next((resource for resource in resources
                 if resource.format == "GeoJSON" and resource.size <= MAP_BYTES), None)
