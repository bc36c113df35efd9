"""The default Ukrainian service tree (departments, categories, questions, target times)
and a few dozen demo reports placed at the demo city's numbered landmarks."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from misto import twin
from misto.core.models import StaffAssignment
from misto.reports import services
from misto.reports.errors import ReportError
from misto.reports.models import Attribute, Category, CategoryRoute, Department, Report, Status

DEPARTMENTS = [
    # code, name, name_en, phone
    ("light", "КП «Міськсвітло»", "City Lighting", "1580"),
    ("roads", "Департамент дорожнього господарства", "Roads Department", "1580"),
    ("improvement", "Департамент благоустрою", "Urban Improvement Department", "1580"),
    ("waste", "КП «Чисте місто»", "Clean City (waste collection)", "1580"),
    ("water", "КП «Водоканал»", "Water Utility", "1580"),
    ("green", "КП «Зеленбуд»", "Green Spaces Utility", "1580"),
    ("transport", "Департамент транспорту", "Transport Department", "1580"),
    ("housing", "Департамент житлового господарства", "Housing Department", "1580"),
    ("heating", "КП «Теплоенерго»", "District Heating Utility", "1580"),
    ("animals", "КП «Центр поводження з тваринами»", "Animal Care Centre", "1580"),
]

YES_NO = [{"key": "yes", "name": "Так", "name_en": "Yes"},
          {"key": "no", "name": "Ні", "name_en": "No"}]

Q = dict[str, Any]

# Groups (parent categories) with their leaves:
# (code, title, title_en, department, sla_hours, twin layers, [questions]).
TREE: list[tuple[str, str, str, str, list[tuple[str, str, str, int, list[str], list[Q]]]]] = [
    ("lighting", "Освітлення", "Street lighting", "light", [
        ("streetlight-out", "Не світить ліхтар", "Streetlight out", 72, ["landmarks", "poi"], [
            {"code": "how_many", "description": "Скільки ліхтарів не світить?",
             "description_en": "How many lights are out?", "datatype": "number",
             "required": True},
            {"code": "when", "description": "Коли помітили?", "description_en": "Since when?",
             "datatype": "singlevaluelist", "values": [
                 {"key": "today", "name": "Сьогодні", "name_en": "Today"},
                 {"key": "week", "name": "Цього тижня", "name_en": "This week"},
                 {"key": "longer", "name": "Давно", "name_en": "Longer"}]},
        ]),
        ("streetlight-day", "Світить удень", "Light on during the day", 120, ["landmarks"], []),
        ("pole-damaged", "Пошкоджена опора", "Damaged pole", 24, ["landmarks"], [
            {"code": "wires", "description": "Чи видно оголені дроти?",
             "description_en": "Are bare wires visible?", "datatype": "singlevaluelist",
             "required": True, "values": YES_NO},
        ]),
    ]),
    ("roads", "Дороги", "Roads", "roads", [
        ("pothole", "Яма на дорозі", "Pothole", 240, ["streets"], [
            {"code": "size", "description": "Розмір ями", "description_en": "Pothole size",
             "datatype": "singlevaluelist", "required": True, "values": [
                 {"key": "small", "name": "До 30 см", "name_en": "Under 30 cm"},
                 {"key": "medium", "name": "30–100 см", "name_en": "30–100 cm"},
                 {"key": "large", "name": "Понад 1 м", "name_en": "Over 1 m"}]},
        ]),
        ("manhole-open", "Відкритий люк", "Open manhole", 4, ["landmarks", "networks"], []),
        ("traffic-light", "Не працює світлофор", "Traffic light out", 4, ["poi"], []),
        ("road-sign", "Пошкоджений дорожній знак", "Damaged road sign", 72, ["landmarks"], []),
        ("snow", "Неприбраний сніг чи ожеледиця", "Snow or ice not cleared", 12, ["streets"],
         []),
    ]),
    ("improvement", "Благоустрій", "Public spaces", "improvement", [
        ("playground", "Пошкоджений дитячий майданчик", "Damaged playground", 120, ["poi"], []),
        ("bench", "Зламана лавка", "Broken bench", 168, ["landmarks"], []),
        ("graffiti", "Графіті чи незаконна реклама", "Graffiti or illegal ads", 168,
         ["buildings"], []),
        ("sidewalk", "Пошкоджений тротуар", "Damaged pavement", 240, ["streets"], []),
    ]),
    ("waste", "Сміття", "Waste", "waste", [
        ("bin-full", "Переповнений контейнер", "Overflowing bin", 24, ["poi"], [
            {"code": "kind", "description": "Який контейнер?", "description_en": "Which bin?",
             "datatype": "multivaluelist", "values": [
                 {"key": "mixed", "name": "Змішані відходи", "name_en": "Mixed waste"},
                 {"key": "plastic", "name": "Пластик", "name_en": "Plastic"},
                 {"key": "glass", "name": "Скло", "name_en": "Glass"},
                 {"key": "paper", "name": "Папір", "name_en": "Paper"}]},
        ]),
        ("dumping", "Стихійне сміттєзвалище", "Illegal dumping", 72, [], []),
        ("bulky", "Не вивезено великогабаритне сміття", "Bulky waste not collected", 72, [],
         []),
    ]),
    ("water", "Водопостачання", "Water and sewer", "water", [
        ("water-leak", "Витік води", "Water leak", 8, ["networks", "landmarks"], [
            {"code": "flooding", "description": "Чи затоплює дорогу або підвал?",
             "description_en": "Is a road or basement flooding?",
             "datatype": "singlevaluelist", "required": True, "values": YES_NO},
        ]),
        ("no-water", "Немає води", "No water", 12, ["buildings"], []),
        ("sewer", "Засмічена каналізація", "Blocked sewer", 24, ["networks", "landmarks"], []),
        ("hydrant", "Пошкоджений гідрант", "Damaged hydrant", 48, ["landmarks"], []),
    ]),
    ("green", "Зелені насадження", "Trees and greenery", "green", [
        ("tree-fallen", "Впале дерево", "Fallen tree", 8, ["landmarks"], [
            {"code": "blocking", "description": "Чи перекриває проїзд або прохід?",
             "description_en": "Does it block the road or path?",
             "datatype": "singlevaluelist", "required": True, "values": YES_NO},
        ]),
        ("tree-dangerous", "Аварійне дерево", "Dangerous tree", 72, ["landmarks"], []),
        ("grass", "Непокошена трава", "Grass not mown", 240, [], []),
    ]),
    ("transport", "Транспорт", "Public transport", "transport", [
        ("stop-damaged", "Пошкоджена зупинка", "Damaged stop", 120, ["poi"], []),
    ]),
    ("housing", "Житло", "Housing", "housing", [
        ("entrance", "Проблема в під'їзді", "Problem in the entrance hall", 120, ["buildings"],
         []),
        ("roof-leak", "Протікає дах", "Leaking roof", 48, ["buildings"], []),
        ("no-heating", "Немає опалення", "No heating", 12, ["buildings"], []),
    ]),
    ("animals", "Тварини", "Animals", "animals", [
        ("stray-animal", "Безпритульна тварина", "Stray animal", 48, [], []),
    ]),
]
ROUTES = [("no-heating", "heating")]  # no-heating goes to the heating utility everywhere

DESCRIPTIONS = {
    "streetlight-out": "Не світить ліхтар біля будинку, ввечері дуже темно.",
    "pole-damaged": "Опора нахилилася після вітру.",
    "pothole": "Глибока яма на проїжджій частині.",
    "manhole-open": "Відкритий люк на тротуарі, небезпечно.",
    "bin-full": "Контейнери переповнені, сміття лежить навколо.",
    "water-leak": "З-під асфальту б'є вода.",
    "tree-fallen": "Дерево впало після грози.",
    "tree-dangerous": "Сухе дерево нахилилося над дорогою.",
    "bench": "Зламана лавка у сквері.",
    "hydrant": "Гідрант пошкоджено, тече вода.",
}
ANSWERS: dict[str, dict[str, Any]] = {
    "streetlight-out": {"how_many": "2"}, "pole-damaged": {"wires": "no"},
    "pothole": {"size": "medium"}, "water-leak": {"flooding": "no"},
    "tree-fallen": {"blocking": "yes"},
}


@transaction.atomic
def load_tree() -> int:
    """Create the departments and the category tree that are missing; returns how many
    categories were created."""
    departments = {}
    for code, name, name_en, phone in DEPARTMENTS:
        departments[code], _new = Department.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "phone": phone})
    created = 0
    for order, (code, title, title_en, department, leaves) in enumerate(TREE):
        group, _new = Category.objects.get_or_create(code=code, defaults={
            "title": title, "title_en": title_en, "department": departments[department],
            "order": order})
        for leaf_order, (leaf, leaf_title, leaf_en, sla, layers, questions) in enumerate(leaves):
            category, new = Category.objects.get_or_create(code=leaf, defaults={
                "parent": group, "title": leaf_title, "title_en": leaf_en, "sla_hours": sla,
                "twin_layers": layers, "order": leaf_order, "description": leaf_title})
            created += new
            if new:
                for question_order, question in enumerate(questions):
                    Attribute.objects.create(category=category, order=question_order + 1,
                                             **question)
    for category_code, department in ROUTES:
        category = Category.objects.get(code=category_code)
        for district in twin.districts():
            CategoryRoute.objects.get_or_create(
                category=category, district=district.katottg,
                defaults={"department": departments[department]})
    return created


def load_reports(count: int = 40, seed: int = 311) -> int:
    """Demo reports at landmarks of every district; returns how many were created."""
    rng = random.Random(seed)
    numbers: list[str] = []
    for district in twin.districts():
        for sequence in range(1, 301):  # landmarks are numbered "<prefix>-0001", "-0002"...
            number = f"{district.prefix}-{sequence:04d}"
            if twin.landmark(number) is None:
                break
            numbers.append(number)
    codes = list(DESCRIPTIONS)
    made = 0
    while made < count and numbers:
        number = numbers.pop(rng.randrange(len(numbers)))
        code = rng.choice(codes)
        # Received over the last 20 days: the report and its ReportCreated event carry the
        # same time, so the situation centre's "reports today" counts what the map shows.
        age = timedelta(hours=rng.randint(1, 24 * 20))
        try:
            report = services.submit(services.Submission(
                category=code, description=DESCRIPTIONS[code], landmark=number,
                attributes=ANSWERS.get(code, {}),
                channel=rng.choice(["web", "web", "phone", "open311"]),
                received_at=timezone.now() - age))
        except ReportError:
            continue  # e.g. a landmark outside every district
        _demo_progress(report, rng)
        made += 1
    return made


def _demo_progress(report: Report, rng: random.Random) -> None:
    clerk, _new = get_user_model().objects.get_or_create(
        username="demo-dispatcher", defaults={"first_name": "Диспетчер"})
    if _new:
        clerk.set_unusable_password()
        clerk.save()
    StaffAssignment.objects.get_or_create(user=clerk, role="dispatcher", department="",
                                          district="")
    step = rng.random()
    if step < 0.35:
        return
    services.change_status(report.pk, clerk, Status.ACCEPTED)
    if step < 0.6:
        return
    services.change_status(report.pk, clerk, Status.IN_PROGRESS, "Бригаду направлено.")
    if step < 0.8:
        return
    services.change_status(report.pk, clerk, Status.RESOLVED, "Усунуто.")


DEMO_PASSWORD = "misto-demo"  # the same demo password as the residents' demo staff


def load_clerks() -> None:
    """A demo clerk per department: ``demo-<department code>``, role clerk in the core."""
    for department in Department.objects.all():
        user, new = get_user_model().objects.get_or_create(
            username=f"demo-{department.code}")
        if new:
            user.set_password(DEMO_PASSWORD)
            user.save()
        StaffAssignment.objects.get_or_create(user=user, role="clerk",
                                              department=department.code, district="")


def load(stdout: IO[str] | None = None) -> None:
    """Load the service tree and, when there are no reports yet, the demo reports."""
    created = load_tree()
    load_clerks()
    made = 0
    if not Report.objects.exists():
        made = load_reports()
    if stdout:
        stdout.write(f"  reports: {created} categories, {made} demo reports "
                     f"({timezone.now():%Y-%m-%d}); clerks demo-<department> "
                     f"({', '.join(Department.objects.values_list('code', flat=True))}) "
                     f"with password {DEMO_PASSWORD!r}\n")
