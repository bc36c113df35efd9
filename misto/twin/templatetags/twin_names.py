"""``{% load twin_names %}``: ``{{ device.district|district_name }}`` shows a district's name
in the reader's language where a page would otherwise print its KATOTTG code
("UA23060070010000012"), which means nothing to a person."""

from __future__ import annotations

import time

from django import template

from misto.core.i18n import localized

register = template.Library()

# Districts change once in years; a page lists hundreds of rows, so the names are read once
# a minute rather than once a row (and again when a code is missing).
_TTL_SECONDS = 60.0
_cache: dict[str, object] = {"at": 0.0, "by_code": {}}


def _by_code(code: str) -> dict[str, object]:
    from misto.twin import districts

    age = time.monotonic() - float(_cache["at"])  # type: ignore[arg-type]
    known: dict[str, object] = _cache["by_code"]  # type: ignore[assignment]
    # A code not seen yet (a district just added) is looked for again, at most once a second.
    if age > _TTL_SECONDS or (code not in known and age > 1.0):
        _cache["by_code"] = {district.katottg: district for district in districts()}
        _cache["at"] = time.monotonic()
    by_code: dict[str, object] = _cache["by_code"]  # type: ignore[assignment]
    return by_code


@register.filter
def district_name(code: str | None) -> str:
    """The district's name, or the code itself when no district has it ("" for none)."""
    if not code:
        return ""
    district = _by_code(code).get(code)
    return localized(district, "name") if district is not None else code
