"""Demo residents (clearly fake people) and one staff account per role.

Demo logins (docs/residents.md): staff accounts ``demo-<role>`` with the password
``misto-demo`` and no TOTP (outside production only); residents sign in through the demo
OpenID provider (:mod:`misto.residents.demo_idp`), whose accounts are these demo people.
"""

from __future__ import annotations

from datetime import date
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.db import transaction

from misto.core.models import Role, StaffAssignment
from misto.residents import rnokpp as rnokpp_rules
from misto.residents.models import BenefitCategory, Person, PersonBenefit, Verification
from misto.residents.providers import demo_provider
from misto.residents.services import (
    ResidentsError,
    create_person,
    find_by_rnokpp,
    register_department,
)

DEMO_PASSWORD = "misto-demo"
BENEFITS = [
    ("pensioner", "Пенсіонер", "Pensioner"),
    ("disability", "Особа з інвалідністю", "Person with disability"),
    ("large_family", "Багатодітна сім'я", "Large family"),
    ("student", "Студент", "Student"),
    ("idp", "Внутрішньо переміщена особа", "Internally displaced person"),
]
# The first lives inside the demo water outage (misto/notifications/demo.py), so that a
# newcomer signing in as them sees their district's outage first on the cabinet home.
PEOPLE = [
    ("Тестенко", "Демо", "Іванович", date(1980, 5, 17), 101, False, "Соборний проспект, 67"),
    ("Зразкова", "Приклада", "Петрівна", date(1955, 2, 3), 102, True, "Соборний проспект, 3"),
    ("Вигаданий", "Персонаж", "", date(2001, 11, 30), 103, False, "Соборний проспект, 5"),
]


def ensure_benefit_categories() -> None:
    for code, title_uk, title_en in BENEFITS:
        BenefitCategory.objects.get_or_create(code=code, defaults={"title_uk": title_uk,
                                                                   "title_en": title_en})


def demo_rnokpp(index: int) -> str:
    born, serial, female = PEOPLE[index][3:6]
    return rnokpp_rules.make(born, serial, female)


def load(stdout: IO[str] | Any) -> None:
    ensure_benefit_categories()
    user_model = get_user_model()
    created = 0
    with transaction.atomic():
        for index, (last, first, patronymic, born, _serial, _female, address) in enumerate(
                PEOPLE):
            number = demo_rnokpp(index)
            if find_by_rnokpp(number) is not None:
                continue
            data = {"last_name": last, "first_name": first, "patronymic": patronymic,
                    "birth_date": born, "rnokpp": number, "phone": f"+38050000000{index}",
                    "email": f"demo{index}@example.invalid", "address": address}
            try:
                person = create_person(data, by=None, basis="demo data")
            except ResidentsError as error:
                if "address" not in error.errors:
                    raise
                data["address"] = ""  # the twin's demo city has no such address
                person = create_person(data, by=None, basis="demo data")
            created += 1
            if index == 1:
                PersonBenefit.objects.create(
                    person=person, category=BenefitCategory.objects.get(code="pensioner"),
                    valid_from=date(2020, 1, 1), document="пенсійне посвідчення № DEMO-1")
        district = (Person.objects.exclude(district="").values_list("district", flat=True)
                    .first() or "")
        for role in Role.values:
            # is_staff only opens the Django admin: for those who configure the platform.
            user, new = user_model.objects.get_or_create(
                username=f"demo-{role}",
                defaults={"is_staff": role in (Role.IT_ADMIN, Role.AUDITOR)})
            if new:
                user.set_password(DEMO_PASSWORD)
                user.save()
            department = register_department() if role == Role.CLERK else ""
            StaffAssignment.objects.get_or_create(
                user=user, role=role, department=department,
                district=district if role == Role.CLERK else "")
    stdout.write(f"residents: {created} demo people; staff logins demo-<role> "
                 f"({', '.join(Role.values)}) with password {DEMO_PASSWORD!r}\n")
    _print_resident_sign_in(stdout)


def _print_resident_sign_in(stdout: IO[str] | Any) -> None:
    """How a newcomer signs in as a demo resident (through the demo provider, if it is on)."""
    provider = demo_provider()
    if provider is not None:
        stdout.write(f"residents: open /cabinet/signin/, choose “{provider.title}” "
                     f"(the demo provider at {provider.issuer}, started by `make run` or "
                     f"`misto demo_idp start`) and pick a demo resident:\n")
    for index, (last, first, _patronymic, born, *_rest) in enumerate(PEOPLE):
        stdout.write(f"  demo resident {index + 1}: {first} {last}, born {born.isoformat()}, "
                     f"RNOKPP {demo_rnokpp(index)}\n")


# A demo population for modules where many residents act (petition signatures, budget votes):
# clearly invented names, verified register entries, accounts that cannot sign in by password.
SURNAMES = ("Зразченко", "Прикладенко", "Тестенко", "Демченко", "Макетенко", "Взірченко",
            "Пробенко", "Шаблоненко")
FIRST_NAMES = (("Андрій", "Іванович"), ("Оксана", "Петрівна"), ("Богдан", "Олегович"),
               ("Марія", "Андріївна"), ("Тарас", "Миколайович"), ("Ірина", "Василівна"))


def population(count: int) -> list[Any]:
    """``count`` demo residents with accounts (``demo-resident-NNN``), verified by a provider;
    made once, reused on the next ``misto demo``."""
    user_model = get_user_model()
    users = []
    for index in range(count):
        username = f"demo-resident-{index + 1:03d}"
        user = user_model.objects.filter(username=username).first()
        if user is None:
            with transaction.atomic():
                user = user_model.objects.create_user(username)  # no usable password
                first, patronymic = FIRST_NAMES[index % len(FIRST_NAMES)]
                born = date(1950 + index % 50, 1 + index % 12, 1 + index % 28)
                create_person(
                    {"last_name": SURNAMES[index % len(SURNAMES)], "first_name": first,
                     "patronymic": patronymic, "birth_date": born.isoformat(),
                     "rnokpp": rnokpp_rules.make(born, 200 + index, index % 2 == 1),
                     "address": ""},
                    by=None, basis="demo data", verification=Verification.PROVIDER, user=user,
                    check_address=False)
        users.append(user)
    return users
