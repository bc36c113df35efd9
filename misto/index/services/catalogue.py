"""The indicator catalogue: the shipped ``catalogue.csv`` validated and loaded, and the
checks every indicator passes (the admin's too)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from misto.core.registry import indicator_functions, modules
from misto.index.errors import BadRows, IndexCode, ProgressIndexError
from misto.index.models import Direction, Framework, Indicator, Method, Theme
from misto.index.services import formula as formulas

CATALOGUE = Path(__file__).resolve().parent.parent / "catalogue.csv"
COLUMNS = ("code", "name_uk", "name_en", "theme", "unit", "direction", "framework",
           "reference", "method", "formula", "department", "min_value", "max_value",
           "goal_worst", "goal_best", "weight", "definition_uk", "definition_en")
NUMBERS = ("min_value", "max_value", "goal_worst", "goal_best", "weight")
CHOICES = {"theme": Theme, "direction": Direction, "framework": Framework, "method": Method}
REQUIRED = ("code", "name_uk", "name_en", "unit", "definition_uk", "definition_en")


def access_indicator(code: str) -> Indicator:
    """The active indicator ``code``; NOT_FOUND otherwise (the catalogue is public)."""
    indicator = Indicator.objects.filter(code=code, active=True).first()
    if indicator is None:
        raise ProgressIndexError(IndexCode.NOT_FOUND, _("There is no such indicator."))
    return indicator


def _number(raw: str) -> float | None:
    raw = raw.strip()
    return float(raw) if raw else None


def clean_row(raw: dict[str, str]) -> dict[str, Any]:
    """One catalogue row, typed; ValueError with a reason for a bad one. Formulas are
    checked once every code is known (:func:`check_formulas`)."""
    row: dict[str, Any] = {name: (raw.get(name) or "").strip() for name in COLUMNS}
    for name in REQUIRED:
        if not row[name]:
            raise ValueError(_("%(column)s is empty") % {"column": name})
    for name, choices in CHOICES.items():
        if row[name] not in choices.values:
            raise ValueError(_("%(column)s: unknown value %(value)s")
                             % {"column": name, "value": row[name] or "—"})
    for name in NUMBERS:
        try:
            row[name] = _number(row[name])
        except ValueError:
            raise ValueError(_("%(column)s is not a number") % {"column": name}) from None
    row["weight"] = 1.0 if row["weight"] is None else row["weight"]
    if row["weight"] < 0:
        raise ValueError(_("weight is negative"))
    if row["method"] == Method.COMPUTED and not row["formula"]:
        raise ValueError(_("a computed indicator needs a formula"))
    if row["method"] != Method.COMPUTED and row["formula"]:
        raise ValueError(_("only a computed indicator has a formula"))
    if (row["min_value"] is not None and row["max_value"] is not None
            and row["min_value"] > row["max_value"]):
        raise ValueError(_("min_value is above max_value"))
    if (row["goal_worst"] is None) != (row["goal_best"] is None) or (
            row["goal_worst"] is not None and row["goal_worst"] == row["goal_best"]):
        raise ValueError(_("goalposts need two different values, or none"))
    return row


def _installed() -> set[str]:
    return {config.label for config in modules()}


def check_formulas(rows: dict[str, dict[str, Any]]) -> dict[str, str]:
    """code -> problem, for formulas naming unknown indicators or functions, or a loop."""
    functions = set(indicator_functions())
    installed = _installed()
    problems: dict[str, str] = {}
    for code, row in rows.items():
        if row["method"] != Method.COMPUTED:
            continue
        try:
            formulas.check(row["formula"], set(rows), functions, installed)
        except ProgressIndexError as error:
            problems[code] = error.message
    # A loop of expressions would never finish: refuse it.
    for code in rows:
        seen, stack = set(), [code]
        while stack:
            current = stack.pop()
            for ref in formulas.references(rows.get(current, {}).get("formula", "")):
                if ref == code:
                    problems.setdefault(code, _("the formula refers to itself in a loop"))
                elif ref not in seen:
                    seen.add(ref)
                    stack.append(ref)
    return problems


def read(text: str) -> dict[str, dict[str, Any]]:
    """Every row of a catalogue file, checked; BadRows listing each bad row otherwise."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [name for name in COLUMNS if name not in (reader.fieldnames or [])]
    if missing:
        raise BadRows(IndexCode.BAD_CATALOGUE, _("The catalogue lacks columns."),
                      [", ".join(missing)])
    rows: dict[str, dict[str, Any]] = {}
    bad: list[str] = []
    lines: dict[str, int] = {}
    for number, raw in enumerate(reader, start=2):
        try:
            row = clean_row(raw)
        except ValueError as error:
            bad.append(_("line %(line)s: %(problem)s") % {"line": number, "problem": error})
            continue
        if row["code"] in rows:
            bad.append(_("line %(line)s: code %(code)s repeats line %(first)s")
                       % {"line": number, "code": row["code"], "first": lines[row["code"]]})
            continue
        rows[row["code"]] = row
        lines[row["code"]] = number
    # The city's own indicators (the admin's) may be referenced too.
    known = {**{code: {"method": "", "formula": ""} for code in
                Indicator.objects.exclude(code__in=rows).values_list("code", flat=True)},
             **rows}
    for code, problem in check_formulas(known).items():
        if code in rows:
            bad.append(_("line %(line)s: %(problem)s") % {"line": lines[code],
                                                          "problem": problem})
    if bad:
        raise BadRows(IndexCode.BAD_CATALOGUE, _("The catalogue has bad rows; nothing was "
                                                 "loaded."), bad)
    return rows


def load(text: str | None = None) -> int:
    """Load (or refresh) the shipped catalogue, all or nothing; the count of indicators.
    Fields the city may tune in the admin (department, goalposts, weight) are kept."""
    rows = read(CATALOGUE.read_text(encoding="utf-8") if text is None else text)
    kept = ("department", "goal_worst", "goal_best", "weight")
    with transaction.atomic():
        for code, row in rows.items():
            indicator = Indicator.objects.filter(code=code).first()
            if indicator is None:
                Indicator.objects.create(**row, shipped=True)
                continue
            for name, value in row.items():
                if name not in kept or not indicator.shipped:
                    setattr(indicator, name, value)
            indicator.shipped = True
            indicator.save()
    return len(rows)


def ensure_loaded() -> None:
    """Load the shipped catalogue when the database has none of it yet."""
    if not Indicator.objects.filter(shipped=True).exists():
        load()


def check_indicator(indicator: Indicator) -> None:
    """The admin's check of one indicator (a city's own), with the same rules as a row."""
    raw = {name: "" if getattr(indicator, name) is None else str(getattr(indicator, name))
           for name in COLUMNS}
    try:
        clean_row(raw)
    except ValueError as error:
        raise ProgressIndexError(IndexCode.BAD_CATALOGUE, str(error)) from None
    if indicator.method == Method.COMPUTED:
        codes = set(Indicator.objects.values_list("code", flat=True)) | {indicator.code}
        formulas.check(indicator.formula, codes, set(indicator_functions()), _installed())
