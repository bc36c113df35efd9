"""The demo city's public budget: the 2025 round finished with its results, the 2026 round in
voting. Projects are proposed, reviewed and voted for through the real services, so every
ballot is in the ledger and ``misto budget recount`` agrees."""

from __future__ import annotations

from datetime import timedelta
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from misto import twin
from misto.budget import services
from misto.budget.models import Phase, Round
from misto.core.models import Role
from misto.residents import levels
from misto.residents.demo import population
from misto.residents.models import Person

VOTERS = 30

PROJECTS = [
    # (title, description, cost, offset from the district's centre (lon, lat), area?)
    ("Дитячий майданчик у сквері", "Новий безпечний майданчик з гумовим покриттям, гойдалками "
     "та лавками для батьків.", 850_000, (0.000, 0.000), True),
    ("Освітлення пішохідної алеї", "Двадцять світлодіодних ліхтарів уздовж алеї, якою діти "
     "ходять до школи.", 420_000, (0.004, 0.002), False),
    ("Велопарковки біля школи", "Крита велопарковка на 40 місць біля входу до школи.",
     150_000, (-0.004, -0.002), False),
]
CITY_PROJECTS = [
    ("Безбар'єрні переходи в центрі", "Понизити бордюри та встановити тактильну плитку на "
     "десяти переходах центральних вулиць.", 1_900_000),
]
REJECTED = ("Фонтан зі світломузикою", "Великий фонтан зі світломузикою на головній площі "
            "міста.", 2_900_000)


def _centre(code: str) -> tuple[float, float]:
    shape = next(s for s in twin.district_shapes([code]))
    point = shape.geometry.point_on_surface
    return point.x, point.y


def _box(lon: float, lat: float) -> dict[str, Any]:
    d = 0.0008
    return {"type": "Polygon", "coordinates": [[[lon, lat], [lon + d, lat], [lon + d, lat + d],
                                                [lon, lat + d], [lon, lat]]]}


def _round(number: str, title_uk: str, title_en: str, codes: list[str], people: list[Any],
           clerk: Any, *, voters: int) -> Round:
    today = timezone.localdate()
    found = services.create_round(
        number, title_uk, title_en, {code: 3_000_000 for code in codes},
        city_amount=2_500_000, voting_from=today - timedelta(days=3),
        voting_until=today + timedelta(days=20), max_choices=3)
    authors = iter(people)
    for code in codes:
        lon, lat = _centre(code)
        for title, text, cost, (dx, dy), area in PROJECTS:
            place = _box(lon + dx, lat + dy) if area else {
                "type": "Point", "coordinates": [lon + dx, lat + dy]}
            author = next(authors)
            project = services.do_propose(author, found, services.check_proposal(
                author, levels.VERIFIED, found, title, text, cost, place))
            services.review(clerk, project, approve=True,
                            reason="Реалізовно: ділянка комунальна, кошторис перевірено.")
    lon, lat = _centre(codes[0])
    spanning = {"type": "Polygon", "coordinates": [[
        [lon, lat], [_centre(codes[-1])[0], lat], [_centre(codes[-1])[0], lat + 0.002],
        [lon, lat + 0.002], [lon, lat]]]}
    for title, text, cost in CITY_PROJECTS:
        author = next(authors)
        project = services.do_propose(author, found, services.check_proposal(
            author, levels.VERIFIED, found, title, text, cost, spanning))
        services.review(clerk, project, approve=True,
                        reason="Реалізовно разом з ремонтом доріг; кошторис уточнено.",
                        cost=cost - 100_000)
    author = next(authors)
    project = services.do_propose(author, found, services.check_proposal(
        author, levels.VERIFIED, found, REJECTED[0], REJECTED[1], REJECTED[2],
        [lon, lat]))
    services.review(clerk, project, approve=False,
                    reason="Утримання фонтана (електроенергія, вода, сезонний догляд) "
                           "перевищує межі громадського бюджету, а площа — пам'ятка, де "
                           "нове будівництво заборонене.")
    services.do_set_phase(found, Phase.REVIEW)
    found = services.do_set_phase(found, Phase.VOTING)
    for index, voter in enumerate(people[:voters]):
        district = Person.objects.get(user=voter).district
        mine = list(found.projects.filter(district=district, status="approved")
                    .order_by("number").values_list("number", flat=True))
        city = list(found.projects.filter(district="", status="approved")
                    .values_list("number", flat=True))
        choice = [mine[index % len(mine)], mine[(index * 2 + 1) % len(mine)]]
        if index % 3 == 0:
            choice += city
        services.vote_here(voter, levels.VERIFIED, found, sorted(set(choice)))
    return found


def load(stdout: IO[str] | Any) -> None:
    if Round.objects.exists():
        stdout.write("budget: demo rounds already loaded\n")
        return
    codes = sorted(d.katottg for d in twin.districts())[:3]
    if len(codes) < 2:
        stdout.write("budget: the twin has fewer than two districts; no demo rounds\n")
        return
    people = population(VOTERS)
    clerk = get_user_model().objects.get(username=f"demo-{Role.CLERK}")
    with transaction.atomic():
        for index, person in enumerate(Person.objects.filter(user__in=people)
                                       .order_by("user__username")):
            if not person.district:
                Person.objects.filter(pk=person.pk).update(district=codes[index % len(codes)])
        finished = _round("2025", "Громадський бюджет 2025", "Public budget 2025", codes,
                          people, clerk, voters=VOTERS)
        services.do_set_phase(finished, Phase.RESULTS)
        last_year = timezone.localdate() - timedelta(days=365)
        Round.objects.filter(pk=finished.pk).update(
            voting_from=last_year, voting_until=last_year + timedelta(days=30))
        _round("2026", "Громадський бюджет 2026", "Public budget 2026", codes, people, clerk,
               voters=VOTERS // 2)
    stdout.write(f"budget: round 2025 with its results and round 2026 in voting, "
                 f"{VOTERS} demo voters (demo-resident-NNN); check with "
                 f"`misto budget recount 2025`\n")
