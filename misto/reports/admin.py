"""Back office for the service tree: departments, categories with their questions and
district routes. Reports themselves are handled on the module's pages, not here."""

from __future__ import annotations

from django.contrib import admin

from misto.core.admin_access import ActionAdmin, FollowsParentAdmin
from misto.reports.models import ApiKey, Attribute, Category, CategoryRoute, Department


@admin.register(Department)
class DepartmentAdmin(ActionAdmin):
    view_action = "reports.category.view"
    admin_action = "reports.category.admin"
    list_display = ("code", "name", "phone")
    search_fields = ("code", "name")


class AttributeInline(FollowsParentAdmin, admin.StackedInline):
    model = Attribute
    extra = 0


class RouteInline(FollowsParentAdmin, admin.TabularInline):
    model = CategoryRoute
    extra = 0


@admin.register(Category)
class CategoryAdmin(ActionAdmin):
    view_action = "reports.category.view"
    admin_action = "reports.category.admin"
    list_display = ("code", "title", "parent", "department", "sla_hours", "active")
    list_filter = ("parent", "department", "active")
    search_fields = ("code", "title", "title_en", "keywords")
    inlines = [AttributeInline, RouteInline]


@admin.register(ApiKey)
class ApiKeyAdmin(ActionAdmin):
    view_action = "reports.apikey.view"
    admin_action = "reports.apikey.admin"
    list_display = ("name", "prefix", "active", "created_at", "last_used_at")
    readonly_fields = ("name", "prefix", "key_hash", "created_at", "last_used_at")
    list_filter = ("active",)

    def has_add_permission(self, request: object) -> bool:
        return False  # keys are made with `misto open311 create-key`, shown once
