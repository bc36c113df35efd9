"""The demo city's petitions: one in every status, signed by the demo population through the
real signing path (so the ledger holds their signatures and every recount agrees)."""

from __future__ import annotations

from datetime import timedelta
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from misto.core.models import Role, StaffAssignment
from misto.petitions import services
from misto.petitions.models import ModerationRule, Petition, Rules
from misto.residents import levels
from misto.residents.demo import population

THRESHOLD = 25
ANSWERING = "council"  # the council's secretariat; demo-clerk gets a role there too

MODERATION_RULES = [
    ("R1", "Не в межах повноважень міста", "Outside the city's powers",
     "Петиція має стосуватися питань, які вирішує міська рада або її виконавчі органи.",
     "A petition must concern matters the city council or its executive bodies decide."),
    ("R2", "Заклики до насильства чи дискримінації", "Calls for violence or discrimination",
     "Петиції із закликами до насильства, ворожнечі чи дискримінації не оприлюднюються.",
     "Petitions calling for violence, hatred or discrimination are not published."),
    ("R3", "Персональні дані інших людей", "Other people's personal data",
     "Петиція не може містити персональних даних інших осіб без їхньої згоди.",
     "A petition may not contain other people's personal data without their consent."),
    ("R4", "Дублює відкриту петицію", "Duplicates an open petition",
     "Якщо така сама вимога вже збирає підписи, підпишіть ту петицію.",
     "If the same demand is already collecting signatures, sign that petition."),
    ("R5", "Реклама або нецензурна лексика", "Advertising or obscene language",
     "Петиція не може бути рекламою і не може містити нецензурної лексики.",
     "A petition may not advertise or use obscene language."),
]

PETITIONS = [
    # (key, title, topic, place, text)
    ("collecting", "Світлофор біля школи № 5", "transport", "Соборний проспект",
     "Просимо встановити світлофор на пішохідному переході біля школи № 5: щоранку сотні "
     "дітей переходять проспект без нього, а водії не зупиняються."),
    ("consideration", "Укриття в кожному дворі старої забудови", "safety", "",
     "Просимо обстежити підвали будинків старої забудови й облаштувати в них укриття, "
     "позначені на мапі міста, з освітленням і запасом води."),
    ("overdue", "Безбар'єрні зупинки громадського транспорту", "transport", "",
     "Просимо переобладнати зупинки громадського транспорту: понизити бордюри, додати "
     "тактильну плитку й лавки, щоб ними могли користуватися всі."),
    ("answered", "Відновити сквер на розі вулиць", "environment", "",
     "Просимо відновити сквер: висадити дерева, поставити лавки й освітлення, прибрати "
     "стихійне сміттєзвалище."),
    ("unsuccessful", "Перейменувати вулицю на честь футбольного клубу", "culture", "",
     "Просимо перейменувати одну з вулиць міста на честь місцевого футбольного клубу до "
     "його ювілею."),
    ("rejected", "Знизити ціну на пальне", "other", "",
     "Просимо міську раду знизити ціни на пальне на всіх автозаправних станціях країни."),
    ("moderation", "Велодоріжка вздовж набережної", "transport", "",
     "Просимо облаштувати велодоріжку вздовж набережної з окремою смугою та освітленням, "
     "щоб велосипедисти не їхали тротуаром."),
    ("archived", "Громадські вбиральні в парках", "housing", "",
     "Просимо встановити безкоштовні громадські вбиральні в міських парках, доступні для "
     "людей з інвалідністю."),
    ("draft", "Більше урн у парку", "environment", "",
     "Просимо встановити більше урн і контейнерів для роздільного збору в міському парку."),
]
SIGNATURES = {"collecting": 12, "consideration": THRESHOLD, "overdue": THRESHOLD,
              "answered": THRESHOLD, "archived": THRESHOLD, "unsuccessful": 4}


def _rules() -> None:
    Rules.objects.all().delete()
    Rules.objects.create(threshold=THRESHOLD, collection_days=60, min_age=16,
                         answer_working_days=10, answering_department=ANSWERING)
    for code, title_uk, title_en, text_uk, text_en in MODERATION_RULES:
        ModerationRule.objects.update_or_create(code=code, defaults={
            "title_uk": title_uk, "title_en": title_en, "text_uk": text_uk,
            "text_en": text_en, "order": int(code[1:])})


def _staff() -> tuple[Any, Any]:
    users = get_user_model().objects
    moderator = users.get(username=f"demo-{Role.MODERATOR}")
    clerk = users.get(username=f"demo-{Role.CLERK}")
    StaffAssignment.objects.get_or_create(user=clerk, role=Role.CLERK, department=ANSWERING,
                                          district="")
    return moderator, clerk


def _make(key: str, title: str, topic: str, place: str, text: str, author: Any,
          moderator: Any, clerk: Any, signers: list[Any]) -> Petition:
    petition = services.do_create_draft(author, services.check_draft(title, text, topic, place))
    if key == "draft":
        return petition
    services.submit(petition)
    if key == "moderation":
        return petition
    if key == "rejected":
        return services.reject(moderator, petition, "R1",
                               "Ціни на пальне не регулює міська рада.")
    services.open_petition(moderator, petition)
    for user in signers[:SIGNATURES[key]]:
        services.sign(user, levels.VERIFIED, petition)
    petition.refresh_from_db()
    if key == "overdue":
        reached = timezone.localdate() - timedelta(days=30)
        Petition.objects.filter(pk=petition.pk).update(threshold_reached_on=reached)
        petition.refresh_from_db()
        services.recompute_deadlines()
        services.mark_overdue()
    elif key == "answered":
        services.answer(clerk, petition,
                        "Виконавчий комітет погодив відновлення скверу. Роботи внесено до "
                        "плану благоустрою на весну; кошторис — 1,2 млн грн.")
    elif key == "archived":
        services.answer(clerk, petition, "Дві вбиральні встановлено в Центральному парку; "
                                         "третю — у сквері біля вокзалу.")
        Petition.objects.filter(pk=petition.pk).update(
            answered_at=timezone.now() - timedelta(days=400))
        services.archive_settled()
    elif key == "unsuccessful":
        Petition.objects.filter(pk=petition.pk).update(
            collection_ends=timezone.localdate() - timedelta(days=1))
        services.close_expired()
    petition.refresh_from_db()
    return petition


def load(stdout: IO[str] | Any) -> None:
    if Petition.objects.exists():
        stdout.write("petitions: demo petitions already loaded\n")
        return
    people = population(THRESHOLD + 5)
    moderator, clerk = _staff()
    with transaction.atomic():
        _rules()
        for number, (key, title, topic, place, text) in enumerate(PETITIONS):
            _make(key, title, topic, place, text, people[number], moderator, clerk,
                  people[number + 1:] + people[:number])
    stdout.write(f"petitions: {len(PETITIONS)} demo petitions, one in every status, signed "
                 f"by {len(people)} demo residents (demo-resident-NNN); the threshold is "
                 f"{THRESHOLD}\n")
