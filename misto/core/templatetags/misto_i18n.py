"""``{% load misto_i18n %}``: ``{{ category|local:"title" }}`` shows a stored name in the
reader's language (see :mod:`misto.core.i18n`)."""

from __future__ import annotations

import time
from typing import Any

from django import template

from misto.core.i18n import localized

register = template.Library()


@register.filter
def local(obj: Any, field: str = "name") -> str:
    return localized(obj, field)


@register.filter
def module_title(label: str) -> str:
    """A module's title ("Reports") for its label ("reports"), as the registry names it."""
    from misto.core.registry import module

    config = module(label)
    return str(config.title) if config is not None and config.title else label


# Departments change rarely and a page lists hundreds of rows: read once a minute.
_TTL_SECONDS = 60.0
_departments: dict[str, Any] = {"at": float("-inf"), "by_code": {}}


@register.filter
def department_name(code: str | None) -> str:
    """A department's name in the reader's language for its code ("green"), from the
    modules that know departments; the code itself when none does ("" for none)."""
    from misto.core.registry import departments

    if not code:
        return ""
    age = time.monotonic() - _departments["at"]
    # A code not seen yet (a department just added) is looked for again, at most once a second.
    if age > _TTL_SECONDS or (code not in _departments["by_code"] and age > 1.0):
        _departments["by_code"] = departments()
        _departments["at"] = time.monotonic()
    department = _departments["by_code"].get(code)
    return localized(department, "name") if department is not None else code
