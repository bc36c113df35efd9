"""``{% load twin_names %}``: ``{{ device.district|district_name }}`` shows a district's name
in the reader's language where a page would otherwise print its KATOTTG code
("UA23060070010000012"), which means nothing to a person."""

from __future__ import annotations

from django import template

from misto.twin import district_name as twin_district_name

register = template.Library()


@register.filter
def district_name(code: str | None) -> str:
    """The district's name, or the code itself when no district has it ("" for none)."""
    return twin_district_name(code)
