"""The demo city's e-reception: the receptions, and appeals in every state, made through the
real services (registered, assigned, asked for more, replied to, extended, answered, late)."""

from __future__ import annotations

from datetime import timedelta
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from misto.appeals import services
from misto.appeals.models import Appeal, Reception, ReceptionKind
from misto.core.models import Role, StaffAssignment
from misto.residents.demo import DEMO_PASSWORD, population

COUNCIL = "council"  # the mayor's office and the council's secretariat

RECEPTIONS = [
    ("mayor", ReceptionKind.MAYOR, "Приймальня міського голови", "The mayor's reception",
     COUNCIL),
    ("deputy-mayor", ReceptionKind.DEPUTY_MAYOR, "Заступник міського голови з питань "
     "діяльності виконавчих органів", "Deputy mayor for the executive bodies", COUNCIL),
    ("secretary", ReceptionKind.SECRETARY, "Секретар міської ради", "The council secretary",
     COUNCIL),
    ("roads-head", ReceptionKind.DEPARTMENT_HEAD, "Директор департаменту дорожнього "
     "господарства", "Director of the roads department", "roads"),
    ("housing-head", ReceptionKind.DEPARTMENT_HEAD, "Директор департаменту житлового "
     "господарства", "Director of the housing department", "housing"),
    ("deputy-district-12", ReceptionKind.DEPUTY, "Депутат міської ради, виборчий округ № 12",
     "City council deputy, constituency 12", COUNCIL),
]

APPEALS = [
    # (key, reception, kind, subject, text)
    ("registered", "mayor", "proposal", "Нічні рейси трамваїв",
     "Пропоную запустити нічні рейси трамваїв у вихідні: після 23:00 доїхати додому нічим."),
    ("in_progress", "roads-head", "complaint", "Яма на перехресті не ремонтується",
     "Другий місяць на перехресті біля ринку глибока яма; звернення через 1580 закрили без "
     "ремонту."),
    ("info_requested", "secretary", "application", "Доступ до рішення сесії",
     "Прошу надати копію рішення сесії про зміну тарифів на вивезення сміття."),
    ("answered", "deputy-mayor", "application", "Облаштувати пандус у поліклініці",
     "Прошу облаштувати пандус до входу в поліклініку № 3: маломобільні люди не можуть "
     "потрапити до лікаря."),
    ("extended", "housing-head", "complaint", "Протікає дах будинку",
     "Протікає дах дев'ятиповерхівки, вода йде по стінах під'їзду; управитель не реагує."),
    ("overdue", "mayor", "application", "Укриття в школі закрите вночі",
     "Укриття школи № 5 вночі зачинене: під час тривоги мешканцям сусідніх будинків нікуди "
     "сховатися."),
]


def _head() -> Any:
    """The demo's head of the offices (``demo-head``): overdue appeals are escalated to them."""
    head, new = get_user_model().objects.get_or_create(username="demo-head")
    if new:
        head.set_password(DEMO_PASSWORD)
        head.save()
    for department in (COUNCIL, "roads", "housing"):
        StaffAssignment.objects.get_or_create(user=head, role=Role.CLERK,
                                              department=department, district="")
    return head


def _receptions() -> None:
    head = _head()
    for order, (code, kind, title_uk, title_en, department) in enumerate(RECEPTIONS):
        Reception.objects.update_or_create(code=code, defaults={
            "kind": kind, "title_uk": title_uk, "title_en": title_en,
            "department": department, "order": order,
            "head": head if kind != ReceptionKind.DEPUTY else None})


def _clerk() -> Any:
    clerk = get_user_model().objects.get(username=f"demo-{Role.CLERK}")
    for department in (COUNCIL, "roads", "housing"):
        StaffAssignment.objects.get_or_create(user=clerk, role=Role.CLERK,
                                              department=department, district="")
    return clerk


def _make(key: str, reception: str, kind: str, subject: str, text: str, author: Any,
          clerk: Any) -> Appeal:
    today = timezone.localdate()
    received = today - timedelta(days=40 if key == "overdue" else 3)
    appeal = services.register(services.check_appeal(reception, kind, subject, text),
                               author=author, received_on=received)
    if key == "registered":
        return appeal
    services.assign(clerk, appeal, clerk, 30)
    if key == "info_requested":
        services.request_information(clerk, appeal, "Уточніть, будь ласка, дату сесії або "
                                                    "номер рішення.")
    elif key == "answered":
        services.request_information(clerk, appeal, "Уточніть, будь ласка, адресу входу.")
        services.reply(author, appeal, "Вхід з вулиці Шевченка, 40, з боку двору.")
        services.answer(clerk, appeal, "Пандус внесено до плану робіт на січень; підрядник — "
                                       "КП «Міськбуд». Про завершення повідомимо.")
    elif key == "extended":
        services.extend(clerk, appeal, 45, "Потрібне обстеження покрівлі комісією.")
    elif key == "overdue":
        services.mark_overdue()
    appeal.refresh_from_db()
    return appeal


def load(stdout: IO[str] | Any) -> None:
    if Appeal.objects.exists():
        stdout.write("appeals: demo appeals already loaded\n")
        return
    people = population(len(APPEALS))
    with transaction.atomic():
        _receptions()
        clerk = _clerk()
        for (key, reception, kind, subject, text), author in zip(APPEALS, people, strict=True):
            _make(key, reception, kind, subject, text, author, clerk)
    stdout.write(f"appeals: {len(RECEPTIONS)} receptions and {len(APPEALS)} appeals in every "
                 f"state; demo-clerk handles them, demo-head hears of the late ones\n")
