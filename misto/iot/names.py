"""The quantities' names, for other modules' pages (``MistoModule.code_names``): an
incident or an alert holds a quantity code ("pm25"), and people read its name."""

from __future__ import annotations

from misto.iot.models import Quantity


def quantity_names() -> dict[str, Quantity]:
    return {quantity.code: quantity for quantity in Quantity.objects.all()}
