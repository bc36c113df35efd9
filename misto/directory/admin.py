"""The directory's organisations, places and e-services in the admin
(``directory.catalogue.admin``). Everything saved here passes the same checks as a clerk's
edit (the forms below call the services' checks, and the twin places each unit);
corrections change only through the queue."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from misto.core.admin_access import ActionAdmin, FollowsParentAdmin
from misto.directory import services
from misto.directory.errors import DirectoryError
from misto.directory.models import Closure, Contact, EService, Organisation, Unit

ADMIN = "directory.catalogue.admin"


class UnitForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = ("organisation", "slug", "name_uk", "name_en", "lon", "lat", "hours",
                  "closed_on_days_off", "languages", "step_free", "ramp", "accessible_toilet",
                  "hearing_loop", "services")

    def clean_hours(self) -> str:
        try:
            return services.check_hours(self.cleaned_data.get("hours", ""))
        except DirectoryError as error:
            raise forms.ValidationError(error.message) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("lon") is not None and data.get("lat") is not None:
            try:
                services.place(data["lon"], data["lat"])
            except DirectoryError as error:
                self.add_error("lon", error.message)
        return data


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ("kind", "value", "label")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") and data.get("value"):
            try:
                data["value"] = services.check_contact(data["kind"], data["value"])
            except DirectoryError as error:
                self.add_error("value", error.message)
        return data


class ContactInline(FollowsParentAdmin, admin.TabularInline):
    model = Contact
    form = ContactForm
    extra = 1


class ClosureInline(FollowsParentAdmin, admin.TabularInline):
    model = Closure
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(ActionAdmin):
    view_action = ADMIN
    admin_action = ADMIN
    list_display = ("slug", "name_uk", "kind", "department", "partner_role", "public")
    list_filter = ("kind", "partner_role", "public")
    search_fields = ("slug", "name_uk", "name_en")


@admin.register(Unit)
class UnitAdmin(ActionAdmin):
    view_action = ADMIN
    admin_action = ADMIN
    list_display = ("slug", "name_uk", "organisation", "address", "landmark", "hours")
    list_filter = ("organisation__kind",)
    search_fields = ("slug", "name_uk", "name_en", "address", "landmark")
    readonly_fields = ("address", "landmark", "district")
    filter_horizontal = ("services",)
    inlines = (ContactInline, ClosureInline)
    form = UnitForm

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        where = services.place(obj.lon, obj.lat)  # checked by the form
        obj.address, obj.landmark, obj.district = where.address, where.landmark, where.district
        super().save_model(request, obj, form, change)


@admin.register(EService)
class EServiceAdmin(ActionAdmin):
    view_action = ADMIN
    admin_action = ADMIN
    list_display = ("slug", "title_uk", "online_url", "diia_url")
    search_fields = ("slug", "title_uk", "title_en", "keywords")
