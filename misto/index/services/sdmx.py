"""SDMX-CSV 2.0 (the SDMX 3.0 data message as CSV, RFC 4180): the indicators' current values
for statistical software and statistics offices' tools, one row per observation.

``STRUCTURE`` is ``dataflow`` and ``STRUCTURE_ID`` the index's dataflow
(``MISTO:CITY_PROGRESS_INDEX(1.0.0)``); ``ACTION`` is ``I`` (information). Dimensions:
``FREQ`` (``A`` year, ``Q`` quarter, ``M`` month), ``REF_AREA`` (a district's KATOTTG code,
or ``_T``, SDMX's code for a total, for the whole city), ``INDICATOR`` (the catalogue's
code) and ``TIME_PERIOD`` (``2026``, ``2026-Q1``, ``2026-03``: SDMX's own forms, as the
index's periods already are). The measure is ``OBS_VALUE``; attributes ``UNIT_MEASURE``
(the catalogue's unit) and ``COLLECTION`` (computed, entered or imported)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from misto.index.models import Indicator, Value

MEDIA_TYPE = "application/vnd.sdmx.data+csv; version=2.0.0"
DATAFLOW = "MISTO:CITY_PROGRESS_INDEX(1.0.0)"
TOTAL = "_T"
COLUMNS = ("STRUCTURE", "STRUCTURE_ID", "ACTION", "FREQ", "REF_AREA", "INDICATOR",
           "TIME_PERIOD", "OBS_VALUE", "UNIT_MEASURE", "COLLECTION")


def frequency(period: str) -> str:
    return "A" if len(period) == 4 else ("Q" if "Q" in period else "M")


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def observations(indicator: Indicator | None = None) -> Iterator[list[str]]:
    rows = Value.objects.filter(superseded_at=None, indicator__active=True)
    if indicator is not None:
        rows = rows.filter(indicator=indicator)
    for code, period, district, value, unit, method in rows.order_by(
            "indicator__code", "district", "period").values_list(
            "indicator__code", "period", "district", "value", "indicator__unit", "method"):
        yield ["dataflow", DATAFLOW, "I", frequency(period), district or TOTAL, code, period,
               _number(value), unit, method]


def sdmx_csv(indicator: Indicator | None = None) -> str:
    """Every current value (of ``indicator``, or of all) as an SDMX-CSV 2.0 data message."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180's line break
    writer.writerow(COLUMNS)
    writer.writerows(observations(indicator))
    return buffer.getvalue()
