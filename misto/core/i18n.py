"""Names that people give things, in the reader's language.

Catalogue texts go through gettext; names stored in the database (a category, a department,
a district, a device model) carry their own translation beside them, by one convention:
``<field>`` (or ``<field>_uk``) is the Ukrainian name and ``<field>_en`` the English one.
:func:`localized` picks the one for the active language, falling back to Ukrainian when the
English one is blank, so a city that has not translated a name still shows a name.
"""

from __future__ import annotations

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
