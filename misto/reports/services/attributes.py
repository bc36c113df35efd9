"""The category's questions: a submission's answers checked and typed against them.
Its own file because the rules per datatype are long and change on their own.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from misto.reports.errors import ReportError, ReportErrors, ReportsCode
from misto.reports.models import (
    Attribute,
    Category,
    Datatype,
)
from misto.reports.services.catalogue import catalogue


def check_attributes(category: Category, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Check the answers to the category's questions; returns them typed.

    ``raw`` maps attribute codes to a string, or a list of strings for multi-value lists.
    """
    problems: list[ReportError] = []
    answers: dict[str, Any] = {}
    known = {a.code: a for a in catalogue().questions.get(category.pk, [])}
    for code in raw:
        if code not in known:
            problems.append(ReportError(ReportsCode.BAD_ATTRIBUTE, _(
                "“%(code)s” is not a question of “%(category)s”."
            ) % {"code": str(code)[:64], "category": category.code}, field=f"attr_{code}"))
    for code, attribute in known.items():
        value = raw.get(code)
        values = [str(v).strip() for v in (value if isinstance(value, list | tuple) else
                                           [value] if value is not None else []) if str(v).strip()]
        if not values:
            if attribute.required:
                problems.append(ReportError(ReportsCode.MISSING_ATTRIBUTE, _(
                    "Answer the required question “%(question)s” (attribute[%(code)s])."
                ) % {"question": attribute.description, "code": code}, field=f"attr_{code}"))
            continue
        try:
            answers[code] = _typed(attribute, values)
        except ValueError as error:
            problems.append(ReportError(ReportsCode.BAD_ATTRIBUTE, str(error),
                                        field=f"attr_{code}"))
    if problems:
        raise problems[0] if len(problems) == 1 else ReportErrors(problems)
    return answers


def _typed(attribute: Attribute, values: list[str]) -> Any:
    code = attribute.code
    if attribute.datatype in (Datatype.SINGLE, Datatype.MULTI):
        keys = {str(item.get("key")) for item in attribute.values}
        wrong = [value for value in values if value not in keys]
        if wrong:
            raise ValueError(_("“%(value)s” is not an allowed answer to “%(code)s” "
                               "(allowed: %(keys)s).") % {"value": wrong[0][:50], "code": code,
                                                         "keys": ", ".join(sorted(keys))})
        if attribute.datatype == Datatype.SINGLE:
            if len(values) > 1:
                raise ValueError(_("“%(code)s” takes one answer.") % {"code": code})
            return values[0]
        return values
    if len(values) > 1:
        raise ValueError(_("“%(code)s” takes one answer.") % {"code": code})
    value = values[0]
    if attribute.datatype == Datatype.NUMBER:
        try:
            number = float(value.replace(",", "."))
        except ValueError as error:
            raise ValueError(_("“%(code)s” must be a number.") % {"code": code}) from error
        if not math.isfinite(number):
            raise ValueError(_("“%(code)s” must be a number.") % {"code": code})
        return int(number) if number.is_integer() else number
    if attribute.datatype == Datatype.DATETIME:
        parsed = parse_datetime(value)
        if parsed is None:
            raise ValueError(_("“%(code)s” must be a date and time like 2026-05-01T08:30:00Z.")
                             % {"code": code})
        return value
    limit = 2000 if attribute.datatype == Datatype.TEXT else 300
    if len(value) > limit:
        raise ValueError(_("“%(code)s” is longer than %(limit)d characters.")
                         % {"code": code, "limit": limit})
    return value
