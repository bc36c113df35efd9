"""Back office for the twin: a city adds and configures its own layers here, without code.

Features are read-only in the admin: every change of a feature goes through the services
(the map's editor, the API, ``misto twin import``) so that its history is kept.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from misto.core.admin_access import ActionAdmin, FollowsParentAdmin
from misto.twin.models import Feature, FeatureVersion, Layer


@admin.register(Layer)
class LayerAdmin(ActionAdmin):
    view_action = "twin.layer.view"
    admin_action = "twin.layer.admin"
    list_display = ("code", "title_uk", "title_en", "geometry_type", "owner_department",
                    "visibility", "numbered", "min_zoom", "builtin")
    list_filter = ("visibility", "geometry_type", "numbered", "builtin")
    search_fields = ("code", "title_uk", "title_en", "owner_department")
    readonly_fields = ("builtin", "created_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A layer's code and geometry type are what its features were checked against.
        if obj is not None and obj.features.exists():
            return (*self.readonly_fields, "code", "geometry_type")
        return self.readonly_fields


class VersionInline(FollowsParentAdmin, admin.TabularInline):
    model = FeatureVersion
    extra = 0
    can_delete = False
    fields = ("version", "action", "valid_from", "valid_to", "changed_by", "reason",
              "properties")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Feature)
class FeatureAdmin(ActionAdmin):
    view_action = "twin.layer.view"
    admin_action = "twin.layer.admin"
    list_display = ("id", "layer", "number", "name", "version", "action", "valid_from")
    list_filter = ("layer", "action")
    search_fields = ("number", "name", "search_key")
    list_select_related = ("layer",)
    inlines = [VersionInline]
    exclude = ("geometry",)
    readonly_fields = ("layer", "geometry_wkt", "properties", "number", "name", "search_key",
                       "version", "action", "valid_from", "retired_at", "changed_by",
                       "reason")

    @admin.display(description=_("geometry (WKT)"))
    def geometry_wkt(self, obj: Feature) -> str:
        return obj.geometry.wkt[:2000] if obj.geometry else ""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
