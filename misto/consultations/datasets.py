"""The consultations' open dataset (``MistoModule.datasets``): closed polls' results, one
row per answer; ballots are public in the ledger, voters nowhere, free texts not here."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from misto.consultations.models import Poll, State
from misto.core.registry import Column, OpenDataset, OpenTable


def results() -> Iterator[dict[str, Any]]:
    closed = (Poll.objects.filter(state__in=(State.CLOSED, State.REPORTED))
              .prefetch_related("options").order_by("closes_at", "pk"))
    for poll in closed:
        for option in poll.options.all():
            yield {"poll": poll.pk, "title": poll.title_uk, "title_en": poll.title_en,
                   "closed": poll.closes_at.replace(microsecond=0), "effect": poll.effect,
                   "districts": " ".join(poll.districts), "ballots": poll.ballots_count,
                   "answer": option.position, "text": option.text_uk,
                   "text_en": option.text_en, "votes": option.votes}


DATASETS = (
    OpenDataset(
        name="polls", title="Опитування мешканців: результати",
        title_en="Residents' polls: results",
        description="Результати завершених опитувань: кожна відповідь і кількість голосів.",
        description_en="Results of closed polls: every answer and its votes.",
        publisher="council", theme="GOVE", keywords=("опитування", "е-демократія"),
        frequency="DAILY", stale_on=("consultations.PollClosed",),
        tables=(OpenTable("results", "Результати", "Results", (
            Column("poll", "integer", "Опитування", "Poll"),
            Column("title", "string", "Питання", "Question (Ukrainian)"),
            Column("title_en", "string", "Питання англійською", "Question"),
            Column("closed", "datetime", "Завершено", "Closed"),
            Column("effect", "string", "Наслідок (дорадче, обов'язкове)",
                   "Effect (advisory, binding)"),
            Column("districts", "string", "Райони (КАТОТТГ)", "Districts (KATOTTG)"),
            Column("ballots", "integer", "Бюлетенів", "Ballots", "ballots"),
            Column("answer", "integer", "Номер відповіді", "Answer number"),
            Column("text", "string", "Відповідь", "Answer (Ukrainian)"),
            Column("text_en", "string", "Відповідь англійською", "Answer"),
            Column("votes", "integer", "Голосів", "Votes", "votes"),
        ), results),)),
)
