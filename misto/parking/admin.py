"""Zones, tariffs, lots and places as data in the admin (parking.zone.*). Sessions,
bookings and permits are not edited here: they move only through the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from misto import twin
from misto.core.admin_access import ActionAdmin
from misto.parking.errors import ParkingError
from misto.parking.models import Lot, Place, Tariff, Zone
from misto.parking.services import check_lot_area


class LotForm(forms.ModelForm):
    class Meta:
        model = Lot
        fields = ("code", "name", "name_en", "zone", "area", "bookable", "closed", "feature_id")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("zone") and data.get("area"):
            try:
                data["area"] = check_lot_area(data["zone"], data["area"])
            except ParkingError as error:
                raise forms.ValidationError(error.message) from error
        return data


class ZoneDataAdmin(ActionAdmin):
    view_action = "parking.zone.view"
    admin_action = "parking.zone.admin"

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # sessions point at them: close a lot, never delete it


class TariffInline(admin.TabularInline):
    model = Tariff
    extra = 0


class PlaceInline(admin.TabularInline):
    model = Place
    extra = 0
    fields = ("number", "kind", "sensor")


@admin.register(Zone)
class ZoneAdmin(ZoneDataAdmin):
    list_display = ("code", "name", "kind", "district")
    inlines = (TariffInline,)


@admin.register(Lot)
class LotAdmin(ZoneDataAdmin):
    list_display = ("code", "name", "zone", "bookable", "closed")
    list_filter = ("zone", "closed", "bookable")
    inlines = (PlaceInline,)
    form = LotForm

    def save_model(self, request: HttpRequest, obj: Lot, form: Any, change: bool) -> None:
        obj.point = obj.area.point_on_surface
        found = twin.district_at(obj.point.x, obj.point.y)
        obj.district = found.katottg if found else ""
        super().save_model(request, obj, form, change)
