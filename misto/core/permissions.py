"""The one permission check every module uses: ``can(user, action, obj)``.

Every action is **declared** by the module that owns it, in ``<module>/permissions.py``, with
the roles it is granted to by default::

    ASSIGN = declare("situation.incident.assign", _("Assign an incident"),
                     roles={"dispatcher"})

Names are ``<module>.<object>.<verb>``. ``can`` refuses to answer for an undeclared name
(:class:`UnknownAction`), so a typo is a crash in the tests rather than a silent "no", and
the role table in docs/residents.md is generated from the declarations and checked against
them by the role x route test.

There is no fallback: ``is_staff`` only means "may open the Django admin", and a staff
account without an assignment may do nothing a resident may not. Roles are held through
:class:`misto.core.models.StaffAssignment` rows, each scoped to a department and a district
code ("" means all). An object is in scope when:

- it exposes ``scope_department`` / ``scope_district`` (codes or ``None``), or else
  ``department`` / ``district`` (a code string, or an object with a ``code`` attribute);
- a department-bound assignment only matches an object of that same department, and a
  district-bound one only an object of that same district: an object that does not say
  where it belongs matches only assignments for all departments / all districts (no leak);
- ``obj=None`` (a list page, a create form) is in every assignment's scope; the module then
  filters the rows it shows with :func:`scope_filter`.

An action declared with ``owner=True`` is also allowed to the object's owner: an object
exposing ``scope_owner_id`` equal to the user's id (a resident and their own data).

Superusers may do everything. These roles live in the core, not in the residents module,
because every module asks ``can`` and the core must not depend on a module.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

#: The staff roles (the values of :class:`misto.core.models.Role`), in the order the
#: documentation's table lists them.
ROLES: tuple[str, ...] = ("clerk", "operator", "dispatcher", "moderator", "it_admin", "auditor")
_NAME = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")


class UnknownAction(ImproperlyConfigured):
    """``can`` was asked about an action no installed module declared."""


@dataclass(frozen=True)
class Action:
    """A thing someone may do, and who may do it by default."""

    name: str
    description: str | Promise
    roles: frozenset[str]
    owner: bool = False

    @property
    def module(self) -> str:
        return self.name.split(".", 1)[0]


_ACTIONS: dict[str, Action] = {}


def declare(name: str, description: str | Promise, *, roles: Iterable[str] = (),
            owner: bool = False) -> str:
    """Declare ``name`` with its default grants; returns the name for use as a constant.

    Declaring the same action twice with the same grants is harmless (a module imported
    again); with different grants it is a programming error.
    """
    if not _NAME.match(name):
        raise ImproperlyConfigured(f"action {name!r} is not <module>.<object>.<verb>")
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ImproperlyConfigured(f"action {name!r} names unknown roles {sorted(unknown)}")
    action = Action(name, description, frozenset(roles), owner)
    previous = _ACTIONS.get(name)
    if previous is not None and (previous.roles, previous.owner) != (action.roles, action.owner):
        raise ImproperlyConfigured(f"action {name!r} declared twice with different grants")
    _ACTIONS[name] = action
    return name


def action(name: str) -> Action:
    try:
        return _ACTIONS[name]
    except KeyError:
        raise UnknownAction(f"no installed module declares the action {name!r}") from None


def declared() -> list[Action]:
    """Every declared action, sorted by name (for the documentation and the tests)."""
    return [_ACTIONS[name] for name in sorted(_ACTIONS)]


@dataclass(frozen=True)
class Scope:
    role: str
    department: str
    district: str


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


def _active(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def can(user: Any, name: str, obj: Any = None) -> bool:
    """May ``user`` perform the declared action ``name`` (on ``obj``, when given)?"""
    declared_action = action(name)
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    if (declared_action.owner and obj is not None
            and getattr(obj, "scope_owner_id", None) not in (None, "")
            and obj.scope_owner_id == user.pk):
        return True
    return any(scope.role in declared_action.roles and in_scope(scope, obj)
               for scope in scopes(user))


def require(user: Any, name: str, obj: Any = None) -> None:
    if not can(user, name, obj):
        raise PermissionDenied(name)


def scope_filter(user: Any, name: str) -> list[tuple[str, str]] | None:
    """Which (department, district) pairs ``user`` may perform ``name`` in.

    ``None`` means everywhere (a superuser or an unscoped assignment); an empty list means
    nowhere; "" in a pair means any. A module turns this into a queryset filter.
    """
    declared_action = action(name)
    if not _active(user):
        return []
    if user.is_superuser:
        return None
    pairs: list[tuple[str, str]] = []
    for scope in scopes(user):
        if scope.role in declared_action.roles:
            if not scope.department and not scope.district:
                return None
            pairs.append((scope.department, scope.district))
    return pairs


def roles_of(user: Any) -> list[str]:
    return sorted({scope.role for scope in scopes(user)})


# --- The core's own actions ---------------------------------------------------------------
# (Declared here rather than in a second file: the core is the one module whose
# ``permissions`` module is also the machinery.)

EVENT_VIEW = declare("core.event.view", _("See event deliveries and dead letters"),
                     roles={"it_admin", "auditor"})
EVENT_REPLAY = declare("core.event.replay", _("Replay dead letters"), roles={"it_admin"})
EVENT_ADMIN = declare("core.event.admin", _("Change event rows in the admin"), roles=())
METRICS_VIEW = declare("core.metrics.view", _("Read the Prometheus metrics"),
                       roles={"it_admin", "auditor"})
CALENDAR_VIEW = declare("core.calendar.view", _("See the city's working-day calendar entries"),
                        roles={"it_admin", "auditor", "clerk"})
CALENDAR_ADMIN = declare("core.calendar.admin",
                         _("Add the city's own days off and working days to the calendar"),
                         roles={"it_admin"})
ASSIGNMENT_VIEW = declare("core.assignment.view", _("See who holds which role"),
                          roles={"it_admin", "auditor"})
ASSIGNMENT_ADMIN = declare("core.assignment.admin", _("Grant and revoke staff roles"),
                           roles={"it_admin"})


def who_can(name: str, obj: Any = None) -> Any:
    """The active users whose assignments allow ``name`` on ``obj`` (superusers aside):
    e.g. the clerks a report may be assigned to."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    from misto.core.models import StaffAssignment

    rows = StaffAssignment.objects.filter(role__in=action(name).roles)
    if obj is not None:
        department, district = object_scope(obj)
        rows = rows.filter(Q(department="") | Q(department=department or ""),
                           Q(district="") | Q(district=district or ""))
    return get_user_model().objects.filter(is_active=True, pk__in=rows.values("user_id"))


TABLE_START = "<!-- permissions table: generated by `misto permissions`; checked by the tests -->"
TABLE_END = "<!-- end of permissions table -->"


def markdown_table() -> str:
    """The documented table of every declared action x role ("owner": the person's own)."""
    header = ["action", *ROLES, "owner", "what it allows"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for declared_action in declared():
        marks = ["yes" if role in declared_action.roles else "" for role in ROLES]
        lines.append("| " + " | ".join([
            f"`{declared_action.name}`", *marks, "yes" if declared_action.owner else "",
            str(declared_action.description)]) + " |")
    return "\n".join([TABLE_START, *lines, TABLE_END])


def parse_markdown_table(text: str) -> dict[str, tuple[frozenset[str], bool]]:
    """Read the table back from a document: action -> (roles, owner)."""
    body = text.split(TABLE_START, 1)[1].split(TABLE_END, 1)[0]
    rows: dict[str, tuple[frozenset[str], bool]] = {}
    for line in body.strip().splitlines()[2:]:
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        name = cells[0].strip("`")
        roles = frozenset(role for role, mark in zip(ROLES, cells[1:], strict=False)
                          if mark == "yes")
        rows[name] = (roles, cells[1 + len(ROLES)] == "yes")
    return rows
