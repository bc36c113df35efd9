"""can(user, action, obj) over a generated matrix of roles x scopes x objects x actions.

The expectation is written here independently of misto.core.permissions (an explicit table
of what each role may do, plus the scope rule), so a leak in the rules fails the test.
"""

import itertools
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser

from misto.core.permissions import can, forget_scopes, grant, scope_filter
from misto.residents.tests.conftest import EAST, WEST

pytestmark = pytest.mark.django_db

ACTIONS = [
    "residents.person.view", "residents.person.view_personal", "residents.person.change",
    "residents.correction.approve", "residents.extract.create", "residents.access_log.audit",
    "reports.report.view", "reports.report.change", "reports.report.moderate",
    "situation.incident.dispatch", "core.events.view", "iot.device.admin",
    "residents.role.assign",
]
ALLOWED = {
    "clerk": {"residents.person.view", "residents.person.view_personal",
              "residents.person.change", "residents.correction.approve",
              "residents.extract.create", "reports.report.view", "reports.report.change",
              "residents.role.assign"},
    "operator": {"residents.person.view", "residents.person.view_personal",
                 "reports.report.view"},
    "dispatcher": {"residents.person.view", "reports.report.view", "reports.report.change",
                   "situation.incident.dispatch"},
    "moderator": {"residents.person.view", "reports.report.view", "reports.report.moderate"},
    "it_admin": {"residents.person.view", "reports.report.view", "core.events.view",
                 "iot.device.admin", "residents.role.assign"},
    "auditor": {"residents.person.view", "reports.report.view", "residents.access_log.audit"},
}
OWNER_VERBS = {"view", "list", "view_personal", "change", "create", "delete", "export",
               "request_correction"}
SCOPES = [("", ""), ("cnap", WEST), ("cnap", EAST), ("roads", ""), ("", WEST), ("roads", EAST)]


def declared(obj, name):
    """The protocol: scope_<name>, else <name> (a code or an object with .code)."""
    value = getattr(obj, f"scope_{name}") if hasattr(obj, f"scope_{name}") else getattr(
        obj, name, None)
    value = getattr(value, "code", value)
    return value or None


def expected(kind, scope, action, obj, user):
    if kind == "anonymous":
        return False
    if kind == "superuser":
        return True
    owner = getattr(obj, "scope_owner_id", None)
    if owner is not None and owner == user.pk and action.rsplit(".", 1)[1] in OWNER_VERBS:
        return True
    if kind in ALLOWED and action in ALLOWED[kind]:
        department, district = scope
        if obj is None:
            return True
        obj_department = declared(obj, "department")
        obj_district = declared(obj, "district")
        return ((not department or department == obj_department)
                and (not district or district == obj_district))
    return False


def test_no_leak_over_the_matrix(make_person, make_user):
    residents = [make_user(), make_user()]
    people = [make_person(1, user=residents[0], address="Шевченка 1"),       # west
              make_person(2, user=residents[1], address="Шевченка 12")]      # east
    assert people[0].scope_district == WEST and people[1].scope_district == EAST
    assert people[0].scope_department == "cnap"
    objects = [
        *people,
        SimpleNamespace(scope_department="roads", scope_district=WEST),
        SimpleNamespace(department=SimpleNamespace(code="roads"), district=EAST),
        SimpleNamespace(department="cnap", district=None),
        SimpleNamespace(),  # says nothing about where it belongs
        None,
    ]
    subjects = [("anonymous", ("", ""), AnonymousUser()),
                ("superuser", ("", ""), make_user(is_superuser=True)),
                ("resident", ("", ""), residents[0]),
                ("resident", ("", ""), residents[1])]
    for role, scope in itertools.product(ALLOWED, SCOPES):
        subjects.append((role, scope, make_user(role, *scope)))
    checked = leaks = 0
    mismatches = []
    for (kind, scope, user), obj, action in itertools.product(subjects, objects, ACTIONS):
        want = expected(kind, scope, action, obj, user)
        got = can(user, action, obj)
        checked += 1
        if got and not want:
            leaks += 1
        if got != want:
            mismatches.append((kind, scope, action, obj, got, want))
    assert checked == len(subjects) * len(objects) * len(ACTIONS) > 2500
    assert leaks == 0, [m for m in mismatches if m[4]][:5]
    assert mismatches == [], mismatches[:10]


def test_a_clerk_of_another_district_cannot_open_a_person(make_person, make_user):
    person = make_person(1, address="Шевченка 1")  # west
    west_clerk = make_user("clerk", "cnap", WEST)
    east_clerk = make_user("clerk", "cnap", EAST)
    other_department = make_user("clerk", "social", WEST)
    assert can(west_clerk, "residents.person.view_personal", person)
    assert not can(east_clerk, "residents.person.view_personal", person)
    assert not can(other_department, "residents.person.view_personal", person)


def test_inactive_users_and_stale_caches(make_user, make_person):
    person = make_person(1)
    clerk = make_user("clerk")
    assert can(clerk, "residents.person.view_personal", person)
    clerk.is_active = False
    assert not can(clerk, "residents.person.view_personal", person)
    clerk.is_active = True
    clerk.staff_assignments.all().delete()
    forget_scopes(clerk)
    assert not can(clerk, "residents.person.view_personal", person)


def test_personal_data_is_never_granted_by_a_wildcard(make_user, make_person):
    person = make_person(1)
    admin = make_user("it_admin")
    grant("it_admin", "residents.*")
    try:
        assert can(admin, "residents.person.change", person)
        assert not can(admin, "residents.person.view_personal", person)
    finally:
        from misto.core.permissions import RULES

        RULES["it_admin"].discard("residents.*")


def test_scope_filter(make_user):
    assert scope_filter(make_user("clerk", "cnap", WEST), "residents.person.view") == [
        ("cnap", WEST)]
    assert scope_filter(make_user("auditor"), "residents.person.view") is None
    assert scope_filter(make_user("auditor"), "residents.person.view_personal") == []
