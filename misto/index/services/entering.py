"""Values typed by the responsible department, files from state registers, and targets.

Each change is ``check_*`` (validate everything, write nothing) then ``do_*`` (write).
A refused entry or import changes nothing: an import with one bad row stores no row.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from misto import twin
from misto.core.permissions import can
from misto.index.errors import BadRows, IndexCode, ProgressIndexError
from misto.index.models import Indicator, Method, Target, Value
from misto.index.services.computing import Lineage, store
from misto.index.services.periods import not_future, parse

IMPORT_COLUMNS = ("code", "period", "district", "value", "source")


def access_for(user: Any, code: str, action: str) -> Indicator:
    """The indicator ``code`` if ``user`` may ``action`` it (its department's staff);
    the same NOT_FOUND when it is missing or not theirs."""
    indicator = Indicator.objects.filter(code=code, active=True).first()
    if indicator is None or not can(user, action, indicator):
        raise ProgressIndexError(IndexCode.NOT_FOUND, _("There is no such indicator "
                                                        "among yours."), status=404)
    return indicator


def check_value(indicator: Indicator, number: float, field: str = "value") -> float:
    """The value if it lies within the indicator's possible range (a share within 0-100)."""
    if not isinstance(number, int | float) or not math.isfinite(number):
        raise ProgressIndexError(IndexCode.OUT_OF_RANGE, _("The value is not a number."),
                                 field=field)
    low, high = indicator.min_value, indicator.max_value
    if indicator.unit == "%":
        low = 0.0 if low is None else low
        high = 100.0 if high is None else high
    if (low is not None and number < low) or (high is not None and number > high):
        bounds = f"{'−∞' if low is None else f'{low:g}'} … {'∞' if high is None else f'{high:g}'}"
        raise ProgressIndexError(IndexCode.OUT_OF_RANGE, _(
            "%(value)s %(unit)s is outside the possible range of %(code)s (%(bounds)s).")
            % {"value": f"{number:g}", "unit": indicator.unit, "code": indicator.code,
               "bounds": bounds}, field=field)
    return float(number)


@dataclass(frozen=True)
class CheckedEntry:
    indicator: Indicator
    period: str
    district: str
    value: float
    source: str


def check_entry(indicator: Indicator, period: str, value: float, source: str,
                district: str = "") -> CheckedEntry:
    if indicator.method == Method.COMPUTED:
        raise ProgressIndexError(IndexCode.WRONG_METHOD, _(
            "%(code)s is computed from the platform's data; it cannot be typed in.")
            % {"code": indicator.code}, status=409)
    checked_period = not_future(parse(period))
    district = (district or "").strip()
    if district and district not in {d.katottg for d in twin.districts()}:
        raise ProgressIndexError(IndexCode.BAD_DISTRICT, _(
            "There is no district %(code)s in the city.") % {"code": district},
            field="district")
    source = (source or "").strip()
    if not source:
        raise ProgressIndexError(IndexCode.NO_SOURCE, _(
            "Name the source document of the value."), field="source")
    return CheckedEntry(indicator, checked_period.code, district,
                        check_value(indicator, value), source[:300])


def do_enter(user: Any, entry: CheckedEntry, method: str = Method.ENTERED) -> Value:
    with transaction.atomic():
        row, _changed = store(entry.indicator, entry.period, entry.district, entry.value,
                              Lineage(method, entered_by=user, source=entry.source))
    return row


def enter(user: Any, code: str, period: str, value: float, source: str) -> Value:
    indicator = access_for(user, code, "index.value.enter")
    return do_enter(user, check_entry(indicator, period, value, source))


@dataclass(frozen=True)
class CheckedTarget:
    indicator: Indicator
    year: int
    value: float
    source: str


def check_target(indicator: Indicator, year: int, value: float, source: str) -> CheckedTarget:
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ProgressIndexError(IndexCode.BAD_PERIOD, _("A target is set for a year "
                                                         "between 2000 and 2100."),
                                 field="year")
    return CheckedTarget(indicator, year, check_value(indicator, value),
                         (source or "").strip()[:300])


def do_set_target(user: Any, target: CheckedTarget) -> Target:
    row, _created = Target.objects.update_or_create(
        indicator=target.indicator, year=target.year,
        defaults={"value": target.value, "source": target.source, "set_by": user,
                  "set_at": timezone.now()})
    return row


def set_target(user: Any, code: str, year: int, value: float, source: str) -> Target:
    indicator = access_for(user, code, "index.target.set")
    return do_set_target(user, check_target(indicator, year, value, source))


def check_import(user: Any, text: str, filename: str) -> list[CheckedEntry]:
    """Every row of a register's CSV (``code,period,district,value,source``), checked;
    BadRows listing each bad row otherwise. A row's source defaults to the file's name."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [name for name in ("code", "period", "value")
               if name not in (reader.fieldnames or [])]
    if missing:
        raise BadRows(IndexCode.BAD_IMPORT, _("The file lacks columns; nothing was "
                                              "imported."), [", ".join(missing)])
    entries: list[CheckedEntry] = []
    bad: list[str] = []
    seen: set[tuple[str, str, str]] = set()
    for number, raw in enumerate(reader, start=2):
        try:
            code = (raw.get("code") or "").strip()
            indicator = Indicator.objects.filter(code=code, active=True).first()
            if indicator is None or not can(user, "index.value.import", indicator):
                raise ProgressIndexError(IndexCode.NOT_FOUND, _(
                    "unknown indicator %(code)s") % {"code": code or "—"})
            try:
                value = float((raw.get("value") or "").strip().replace(",", "."))
            except ValueError:
                raise ProgressIndexError(IndexCode.OUT_OF_RANGE, _(
                    "the value is not a number")) from None
            source = (raw.get("source") or "").strip() or filename
            entry = check_entry(indicator, raw.get("period") or "", value, source,
                                raw.get("district") or "")
            key = (entry.indicator.code, entry.period, entry.district)
            if key in seen:
                raise ProgressIndexError(IndexCode.BAD_IMPORT, _("the row repeats an "
                                                                 "earlier one"))
            seen.add(key)
            entries.append(entry)
        except ProgressIndexError as error:
            bad.append(_("line %(line)s: %(problem)s") % {"line": number,
                                                          "problem": error.message})
    if bad:
        raise BadRows(IndexCode.BAD_IMPORT, _("The file has bad rows; nothing was "
                                              "imported."), bad)
    if not entries:
        raise BadRows(IndexCode.BAD_IMPORT, _("The file holds no rows."), [])
    return entries


def do_import(user: Any, entries: list[CheckedEntry]) -> int:
    with transaction.atomic():
        for entry in entries:
            do_enter(user, entry, Method.IMPORTED)
    return len(entries)


def read_upload(upload: Any, limit: int) -> str:
    """An uploaded CSV as text: UTF-8 (with or without BOM), at most ``limit`` bytes."""
    if upload.size is not None and upload.size > limit:
        raise BadRows(IndexCode.BAD_IMPORT, _("The file is too large; nothing was "
                                              "imported."), [])
    raw = upload.read(limit + 1)
    if len(raw) > limit:
        raise BadRows(IndexCode.BAD_IMPORT, _("The file is too large; nothing was "
                                              "imported."), [])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadRows(IndexCode.BAD_IMPORT, _("The file is not UTF-8 text; nothing was "
                                              "imported."), []) from None
