"""Names that people give things, in the reader's language.

Catalogue texts go through gettext; names stored in the database (a category, a department,
a district, a device model) carry their own translation beside them, by one convention:
``<field>`` (or ``<field>_uk``) is the Ukrainian name and ``<field>_en`` the English one.
:func:`localized` picks the one for the active language, falling back to Ukrainian when the
English one is blank, so a city that has not translated a name still shows a name.
"""

from __future__ import annotations

import time
from typing import Any

from django.utils.translation import get_language


def _get(obj: Any, key: str) -> Any:
    if isinstance(obj, dict):
        return obj.get(key)
    return getattr(obj, key, None)


def localized(obj: Any, field: str = "name", language: str | None = None) -> str:
    """``obj``'s ``field`` in ``language`` (the active one by default); "" for None."""
    if obj is None:
        return ""
    language = language or get_language() or "uk"
    if language.startswith("en"):
        english = _get(obj, f"{field}_en")
        if english:
            return str(english)
    native = _get(obj, field)
    if native in (None, ""):
        native = _get(obj, f"{field}_uk")
    return "" if native is None else str(native)


# Named codes (departments, quantities) change rarely and a page lists hundreds of rows:
# read once a minute per kind.
_TTL_SECONDS = 60.0
_names: dict[str, dict[str, Any]] = {}


def code_name(kind: str, code: str | None, language: str | None = None) -> str:
    """The name of a code of ``kind`` ("quantity": "pm25"; "department": "green") in
    ``language`` (the active one by default), from the modules that name such codes
    (``MistoModule.code_names``, ``department_names``); the code itself when none does
    ("" for none)."""
    from misto.core.registry import names_of

    if not code:
        return ""
    cached = _names.setdefault(kind, {"at": float("-inf"), "by_code": {}})
    age = time.monotonic() - cached["at"]
    # A code not seen yet (a department just added) is looked for again, at most once a second.
    if age > _TTL_SECONDS or (code not in cached["by_code"] and age > 1.0):
        cached["by_code"] = names_of(kind)
        cached["at"] = time.monotonic()
    named = cached["by_code"].get(code)
    return localized(named, "name", language) if named is not None else code
