"""``{{ kopiyky|uah }}``: an amount of integer kopiyky as hryvnias in the reader's format."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def uah(kopiyky: int | None) -> str:
    value = Decimal(int(kopiyky or 0)) / 100
    return f"{number_format(value, 2, use_l10n=True)} ₴"
