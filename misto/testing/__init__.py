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


def make_resident(username: str, *, birth_date: str = "1990-01-01", verified: bool = True,
                  district: str = "UA23060070010000012", last_name: str = "Тестова",
                  first_name: str = "Олена", patronymic: str = "Петрівна") -> Any:
    """A resident account linked to a register entry (verified by a provider, or not)."""
    from misto.residents.models import Person, Verification

    user = get_user_model().objects.create_user(username)
    Person.objects.create(
        user=user, last_name=last_name, first_name=first_name, patronymic=patronymic,
        birth_date=birth_date, district=district,
        verification=Verification.PROVIDER if verified else Verification.SELF)
    return user
