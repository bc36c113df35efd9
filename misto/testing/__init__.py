"""Shared test helpers: people of every role, made the way the platform makes them.

Tests never create "staff" by ``is_staff``: a person may do what their role assignments
allow (see misto.core.permissions), so a test names the role it means.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from misto.core.models import StaffAssignment
from misto.core.permissions import ROLES, forget_scopes


def make_staff(username: str, role: str, department: str = "", district: str = "",
               password: str | None = "pw", **fields: Any) -> Any:
    """A user holding ``role`` within ``department`` / ``district`` ("" = all)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; roles are {ROLES}")
    user = get_user_model().objects.create_user(username, password=password, **fields)
    StaffAssignment.objects.create(user=user, role=role, department=department,
                                   district=district)
    forget_scopes(user)
    return user


def grant_role(user: Any, role: str, department: str = "", district: str = "") -> Any:
    """Give an existing user one more role assignment."""
    StaffAssignment.objects.get_or_create(user=user, role=role, department=department,
                                          district=district)
    forget_scopes(user)
    return user

