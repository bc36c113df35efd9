"""The Django admin asks ``can`` too: each model admin names the actions that cover it.

``is_staff`` only lets a person open ``/admin/``; what they then see and change is what
their roles' declared actions allow (an IT administrator sees the device registry, an
auditor reads it, a clerk sees nothing). Django's own model permissions are not used.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from misto.core.permissions import can


class ActionAdmin(admin.ModelAdmin):
    """A model admin whose view permission is ``view_action`` and whose add, change and
    delete permissions are ``admin_action`` (``None``: nobody but a superuser)."""

    view_action: str = ""
    admin_action: str | None = None

    def _may_change(self, request: HttpRequest) -> bool:
        return self.admin_action is not None and can(request.user, self.admin_action)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, self.view_action) or self._may_change(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._may_change(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_change(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._may_change(request)


class FollowsParentAdmin:
    """Mixed into an inline: it may do what its parent model's admin may."""

    admin_site: admin.AdminSite
    parent_model: Any

    def _parent(self) -> Any:
        return self.admin_site._registry[self.parent_model]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(self._parent().has_view_permission(request, obj))

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(self._parent().has_change_permission(request, obj))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(self._parent().has_change_permission(request, obj))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(self._parent().has_change_permission(request, obj))
