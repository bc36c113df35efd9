"""The one permission check every module uses: ``can(user, action, obj)``.

Modules never test ``is_staff`` or group names themselves; they ask ``can``. Roles and
object scope (department, district) are added to the rules here, in one place.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied


def can(user: Any, action: str, obj: Any = None) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if action.startswith("staff.") or action.startswith("core."):
        return bool(user.is_staff)
    return False


def require(user: Any, action: str, obj: Any = None) -> None:
    if not can(user, action, obj):
        raise PermissionDenied(action)
