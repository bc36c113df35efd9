"""The demo city's polls and consultations: a closed poll with its results (by district),
an open poll, a draft, a hearing in its comment period (one comment hidden by a moderator)
and a hearing with its report and the binding poll that closed it. Ballots are cast through
the real services, so ``misto consultations recount <poll>`` agrees."""

from __future__ import annotations

from datetime import timedelta
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from misto import twin
from misto.consultations import services
from misto.consultations.models import Effect, Hearing, Poll, Rule
from misto.core.models import Role
from misto.residents import levels
from misto.residents.demo import population
from misto.residents.models import Person

VOTERS = 30


def _poll(clerk: Any, title_uk: str, title_en: str, options: list[tuple[str, str]],
          codes: list[str], **rules: Any) -> Poll:
    return services.do_create_poll(clerk, services.check_poll(
        title_uk, title_en, options, closes_at=timezone.now() + timedelta(days=14),
        districts=codes, **rules), department="council")


def _vote(poll: Poll, people: list[Any], pick: Any) -> None:
    for index, voter in enumerate(people):
        services.vote_here(voter, levels.VERIFIED, poll, pick(index))


def load(stdout: IO[str] | Any) -> None:
    if Poll.objects.exists() or Hearing.objects.exists():
        stdout.write("consultations: demo polls already loaded\n")
        return
    codes = sorted(d.katottg for d in twin.districts())[:3]
    people = population(VOTERS)
    clerk = get_user_model().objects.get(username=f"demo-{Role.CLERK}")
    with transaction.atomic():
        for index, person in enumerate(Person.objects.filter(user__in=people)
                                       .order_by("user__username")):
            if not person.district:
                Person.objects.filter(pk=person.pk).update(district=codes[index % len(codes)])
        closed = _poll(clerk, "Чи потрібна нічна маршрутка до вокзалу?",
                       "Do we need a night minibus to the railway station?",
                       [("Так, щодня", "Yes, every night"),
                        ("Лише у вихідні", "Only at weekends"), ("Ні", "No")],
                       codes, by_district=True)
        closed = services.do_publish(closed)
        _vote(closed, people, lambda i: [1 + (i % 5 == 0) + (i % 7 == 0)])
        services.do_close(closed)

        open_poll = _poll(clerk, "Які дерева висадити на набережній?",
                          "Which trees should be planted on the embankment?",
                          [("Липи", "Lindens"), ("Клени", "Maples"), ("Каштани", "Chestnuts"),
                           ("Сакури", "Cherry trees")], codes, choice="multiple",
                          max_choices=2, free_text=True, live_results=True)
        open_poll = services.do_publish(open_poll)
        _vote(open_poll, people[:8], lambda i: [1 + i % 4, 1 + (i + 1) % 4])

        _poll(clerk, "Назва нового скверу", "A name for the new square",
              [("Сквер Героїв", "Heroes' Square"), ("Сквер Вишиванки", "Embroidery Square")],
              codes[:1])

        hearing = services.create_hearing(
            clerk, "Реконструкція центральної площі", timezone.now() + timedelta(days=21),
            title_en="Rebuilding the central square",
            summary_uk="Проєкт реконструкції: більше зелені, менше паркування, "
                       "безбар'єрні переходи. Коментуйте до кінця обговорення.",
            summary_en="The rebuilding plan: more green, less parking, step-free crossings. "
                       "Comment until the discussion ends.",
            documents=[{"title_uk": "Пояснювальна записка", "title_en": "Explanatory note",
                        "body_uk": "Площа 1,2 га; 40 нових дерев; 60 паркомісць переносяться "
                                   "на вулицю Садову.",
                        "body_en": "1.2 ha; 40 new trees; 60 parking spaces move to Sadova "
                                   "street."}], department="council")
        hearing = services.publish_hearing(hearing)
        first = services.comment(people[0], levels.VERIFIED, hearing,
                                 "Підтримую, але залиште місця для людей з інвалідністю.")
        services.comment(people[1], levels.VERIFIED, hearing,
                         "Згоден, і додайте укриття від дощу на зупинці.", first.pk)
        rude = services.comment(people[2], levels.VERIFIED, hearing,
                                "Реклама: купуйте плитку у нас, телефонуйте!")
        services.hide_comment(clerk, rude, Rule.SPAM, "Реклама товарів.")

        done = services.create_hearing(
            clerk, "Правила благоустрою громади", timezone.now() + timedelta(days=10),
            title_en="The community's rules of upkeep",
            summary_uk="Оновлені правила благоустрою.", summary_en="Updated rules of upkeep.",
            department="council")
        done = services.publish_hearing(done)
        services.comment(people[3], levels.VERIFIED, done,
                         "Просимо дозволити городи біля багатоповерхівок.")
        final = _poll(clerk, "Ухвалити оновлені правила благоустрою?",
                      "Adopt the updated rules of upkeep?",
                      [("За", "For"), ("Проти", "Against")], [], effect=Effect.BINDING,
                      hearing=done)
        final = services.do_publish(final)
        _vote(final, people[10:22], lambda i: [1 if i % 4 else 2])
        services.do_close(final)
        services.close_hearing(done)
        services.publish_report(
            done, "Надійшло 1 коментар; пропозицію про городи враховано. Голосування: правила "
                  "ухвалено.",
            "1 comment received; the proposal on vegetable plots was taken in. Vote: the rules "
            "are adopted.")
    stdout.write(f"consultations: a closed poll ({closed.pk}) with results, an open poll, a "
                 f"draft, two consultations; check with `misto consultations recount "
                 f"{closed.pk}`\n")
