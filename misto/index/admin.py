"""The catalogue in the admin: a city adds its own indicators (index.indicator.admin);
each one passes the same checks as a row of the shipped catalogue."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from misto.core.admin_access import ActionAdmin
from misto.index.errors import ProgressIndexError
from misto.index.models import Indicator
from misto.index.services.catalogue import check_indicator


class IndicatorForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ("code", "name_uk", "name_en", "theme", "unit", "direction", "framework",
                  "reference", "method", "formula", "definition_uk", "definition_en",
                  "department", "min_value", "max_value", "goal_worst", "goal_best", "weight",
                  "active")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        candidate = Indicator(**{name: value for name, value in cleaned.items()
                                 if name in {f.name for f in Indicator._meta.fields}})
        try:
            check_indicator(candidate)
        except ProgressIndexError as error:
            raise ValidationError(error.message) from None
        return cleaned


@admin.register(Indicator)
class IndicatorAdmin(ActionAdmin):
    view_action = "index.indicator.admin"
    admin_action = "index.indicator.admin"
    form = IndicatorForm
    list_display = ("code", "name_uk", "theme", "method", "framework", "department", "active")
    list_filter = ("theme", "method", "framework", "active")
    search_fields = ("code", "name_uk", "name_en")
