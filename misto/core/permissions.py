"""The one permission check every module uses: ``can(user, action, obj)``.

Modules never test ``is_staff`` or group names themselves; they ask ``can``. Roles and
object scope (department, district) live here, in one place.

Actions are dotted strings ``<module>.<object>.<verb>``: ``reports.report.change``,
``residents.person.view_personal``. The verb decides which roles may act (see ``RULES``):

- ``view``, ``list``: read an object (personal data excluded);
- ``view_personal``: read a person's personal data (names, RNOKPP, contacts...);
- ``create``, ``change``, ``delete``, ``approve``, ``assign``: change things;
- ``moderate``: hide, publish or reject public content;
- ``dispatch``: the situational centre's work;
- ``audit``: read logs (who did what), never personal data;
- ``admin``: configure the platform (devices, layers, roles...).

Roles are held through :class:`misto.core.models.StaffAssignment` rows, each scoped to a
department and a district code ("" means all). An object is in scope when:

- it exposes ``scope_department`` / ``scope_district`` (codes or ``None``), or else
  ``department`` / ``district`` (a code string, or an object with a ``code`` attribute);
- a department-bound assignment only matches an object of that same department, and a
  district-bound one only an object of that same district: an object that does not say
  where it belongs matches only assignments for all departments / all districts (no leak);
- ``obj=None`` (a list page, a create form) is in every assignment's scope; the module then
  filters the rows it shows with :func:`scope_filter`.

A resident acts on their own things: an object exposing ``scope_owner_id`` equal to the
user's id allows the verbs in ``OWNER_VERBS``. Modules may add their own verbs to a role
with :func:`grant` (at import time of their ``permissions``/``apps`` module).

Superusers may do everything. ``is_staff`` keeps its historical meaning for ``staff.*`` and
``core.*`` actions (the platform's own pages). These roles live in the core, not in the
residents module, because every module asks ``can`` and the core must not depend on a
module.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from django.core.exceptions import PermissionDenied

READ_VERBS = frozenset({"view", "list"})
OWNER_VERBS = frozenset({"view", "list", "view_personal", "change", "create", "delete",
                         "export", "request_correction"})

# role -> action patterns (fnmatch) the role may perform within its scope.
RULES: dict[str, set[str]] = {
    "clerk": {"*.view", "*.list", "*.create", "*.change", "*.approve", "*.assign",
              "residents.person.view_personal", "residents.extract.create"},
    "operator": {"*.view", "*.list", "*.create", "residents.person.view_personal"},
    "dispatcher": {"*.view", "*.list", "*.dispatch", "situation.*", "reports.report.change"},
    "moderator": {"*.view", "*.list", "*.moderate"},
    "it_admin": {"*.view", "*.list", "*.admin", "core.*", "staff.*", "iot.*", "twin.*",
                 "residents.role.*"},
    "auditor": {"*.view", "*.list", "*.audit", "ledger.*"},
}
# Actions that disclose personal data are never granted by a pattern: only the roles that
# name them exactly may do these.
PERSONAL = frozenset({"residents.person.view_personal", "residents.extract.create"})
PLATFORM = ("core.", "staff.")


@dataclass(frozen=True)
class Scope:
    role: str
    department: str
    district: str


def grant(role: str, *patterns: str) -> None:
    """Let ``role`` perform the actions matching ``patterns`` (a module's own verbs)."""
    if role not in RULES:
        raise ValueError(f"unknown role {role!r}")
    RULES[role].update(patterns)


def role_allows(role: str, action: str) -> bool:
    patterns = RULES.get(role, set())
    if action in PERSONAL:
        return action in patterns
    if action.startswith(PLATFORM):
        # The platform's own pages need a pattern naming them ("core.*"), not "*.view".
        patterns = {pattern for pattern in patterns if pattern.startswith(PLATFORM)}
    return any(fnmatchcase(action, pattern) for pattern in patterns)


def _code(value: Any) -> str | None:
    if value is None or value == "":
        return None
    code = getattr(value, "code", value)
    return str(code) if code not in (None, "") else None


def object_scope(obj: Any) -> tuple[str | None, str | None]:
    """(department code, district code) that ``obj`` declares, ``None`` when it does not."""
    department = getattr(obj, "scope_department", getattr(obj, "department", None))
    district = getattr(obj, "scope_district", getattr(obj, "district", None))
    return _code(department), _code(district)


def in_scope(scope: Scope, obj: Any) -> bool:
    if obj is None:
        return True
    department, district = object_scope(obj)
    if scope.department and scope.department != department:
        return False
    return not (scope.district and scope.district != district)


def scopes(user: Any) -> list[Scope]:
    """The user's role assignments (cached on the user object for the request)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "pk", None):
        return []
    cached: list[Scope] | None = getattr(user, "_misto_scopes", None)
    if cached is None:
        from misto.core.models import StaffAssignment

        cached = [Scope(role, department, district) for role, department, district in
                  StaffAssignment.objects.filter(user_id=user.pk)
                  .values_list("role", "department", "district")]
        user._misto_scopes = cached
    return cached


def forget_scopes(user: Any) -> None:
    """Drop the cached assignments (after a role was granted or revoked)."""
    if hasattr(user, "_misto_scopes"):
        del user._misto_scopes


def _owner_allows(user: Any, action: str, obj: Any) -> bool:
    owner = getattr(obj, "scope_owner_id", None)
    return owner is not None and owner == user.pk and action.rsplit(".", 1)[-1] in OWNER_VERBS


def can(user: Any, action: str, obj: Any = None) -> bool:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    if user.is_superuser:
        return True
    if obj is not None and _owner_allows(user, action, obj):
        return True
    for scope in scopes(user):
        if role_allows(scope.role, action) and in_scope(scope, obj):
            return True
    if action.startswith("staff.") or action.startswith("core."):
        return bool(user.is_staff)
    return False


def require(user: Any, action: str, obj: Any = None) -> None:
    if not can(user, action, obj):
        raise PermissionDenied(action)


def scope_filter(user: Any, action: str) -> list[tuple[str, str]] | None:
    """Which (department, district) pairs ``user`` may perform ``action`` in.

    ``None`` means everywhere (a superuser or an unscoped assignment); an empty list means
    nowhere; "" in a pair means any. A module turns this into a queryset filter.
    """
    if getattr(user, "is_superuser", False) and user.is_active:
        return None
    pairs: list[tuple[str, str]] = []
    for scope in scopes(user):
        if role_allows(scope.role, action):
            if not scope.department and not scope.district:
                return None
            pairs.append((scope.department, scope.district))
    return pairs


def roles_of(user: Any) -> Iterable[str]:
    return sorted({scope.role for scope in scopes(user)})
