"""can(user, action, obj) over a generated matrix of roles x scopes x objects x actions.

The expectation is written here independently of misto.core.permissions (an explicit table
of what each role may do, plus the scope rule), so a leak in the rules fails the test.
"""

import itertools
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured

from misto.conftest import ROOT
from misto.core.permissions import (
    ROLES,
    UnknownAction,
    can,
    declare,
    forget_scopes,
    markdown_table,
    parse_markdown_table,
    scope_filter,
)
from misto.residents.tests.conftest import EAST, WEST

pytestmark = pytest.mark.django_db

DOCS = Path(ROOT, "docs", "residents.md")
# The expectation is the documented table, read from the document, not from the code.
DOCUMENTED = parse_markdown_table(DOCS.read_text(encoding="utf-8"))
ACTIONS = sorted(DOCUMENTED)
ALLOWED = {role: {name for name, (roles, _owner) in DOCUMENTED.items() if role in roles}
           for role in ROLES}
OWNED = {name for name, (_roles, owner) in DOCUMENTED.items() if owner}
SCOPES = [("", ""), ("cnap", WEST), ("cnap", EAST), ("roads", ""), ("", WEST), ("roads", EAST)]


def test_the_documented_table_is_the_declared_one():
    from django.utils import translation

    with translation.override("en"):
        table = markdown_table()
    assert parse_markdown_table(table) == DOCUMENTED, (
        "docs/residents.md and the declarations disagree: paste `misto permissions` there")


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
    if owner is not None and owner == user.pk and action in OWNED:
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
    assert checked == len(subjects) * len(objects) * len(ACTIONS) > 10000
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


def test_undeclared_actions_are_an_error_not_a_silent_no(make_user):
    with pytest.raises(UnknownAction):
        can(make_user("it_admin"), "residents.person.teleport")
    with pytest.raises(ImproperlyConfigured):
        declare("residents.person.view", "again", roles={"moderator"})
    with pytest.raises(ImproperlyConfigured):
        declare("not-a-name", "x")


def test_is_staff_grants_nothing(make_user, make_person):
    """The probe's finding: every staff.* check fell back to is_staff."""
    person = make_person(1)
    staff = make_user(is_staff=True)
    assert not any(can(staff, name, obj) for name in ACTIONS for obj in (None, person))


def test_scope_filter(make_user):
    assert scope_filter(make_user("clerk", "cnap", WEST), "residents.person.view") == [
        ("cnap", WEST)]
    assert scope_filter(make_user("clerk"), "residents.person.view") is None
    assert scope_filter(make_user("auditor"), "residents.person.view_personal") == []
    assert scope_filter(AnonymousUser(), "residents.person.view") == []


def test_an_operator_cannot_add_people_to_the_register(make_user, client):
    """The probe's finding 9: only clerks within their district add people."""
    operator = make_user("operator")
    client.force_login(operator)
    response = client.post("/cabinet/staff/register/", {
        "action": "add", "last_name": "Нова", "first_name": "Людина", "patronymic": "",
        "birth_date": "1990-01-01", "rnokpp": "", "document": "", "phone": "", "email": "",
        "address": "", "basis": "test"})
    assert response.status_code == 403
    from misto.residents.models import Person

    assert not Person.objects.exists()
