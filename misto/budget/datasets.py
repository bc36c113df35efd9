"""The budget's open dataset (``MistoModule.datasets``): every project with its place on the
twin, cost, review outcome and votes; ballots are public in the ledger, voters nowhere."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from misto.budget.models import Project
from misto.core.registry import Column, OpenDataset, OpenTable


def projects() -> Iterator[dict[str, Any]]:
    for project in Project.objects.select_related("round").order_by("number"):
        yield {"number": project.number, "round": project.round.number, "title": project.title,
               "district": project.district, "cost": project.cost,
               "proposed_cost": project.proposed_cost, "status": project.status,
               "review": project.review_reason, "votes": project.votes,
               "geometry": json.loads(project.place.geojson)}


DATASETS = (
    OpenDataset(
        name="public-budget", title="Громадський бюджет", title_en="Public budget",
        description="Проєкти громадського бюджету: місце, вартість, висновок розгляду, голоси.",
        description_en="Public-budget projects: place, cost, review conclusion, votes.",
        publisher="economy", theme="GOVE", keywords=("громадський бюджет", "е-демократія"),
        frequency="DAILY",
        tables=(OpenTable("projects", "Проєкти", "Projects", (
            Column("number", "string", "Номер", "Number"),
            Column("round", "string", "Раунд", "Round"),
            Column("title", "string", "Назва", "Title"),
            Column("district", "string", "Район (КАТОТТГ)", "District (KATOTTG)"),
            Column("cost", "integer", "Вартість, грн", "Cost, UAH", "UAH"),
            Column("proposed_cost", "integer", "Вартість за автором, грн",
                   "Cost proposed by the author, UAH", "UAH"),
            Column("status", "string", "Статус", "Status"),
            Column("review", "string", "Висновок розгляду", "Review conclusion"),
            Column("votes", "integer", "Голосів", "Votes", "votes"),
        ), projects, geometry=True),)),
)
