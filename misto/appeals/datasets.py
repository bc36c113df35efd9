"""The e-reception's open dataset (``MistoModule.datasets``): each reception's record
(received, answered, on time, overdue, average days), the statistics of appeals that
resolution 835 asks for; counts only, nothing about any appeal or its author."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from misto.appeals.services.stats import reception_stats
from misto.core.registry import Column, OpenDataset, OpenTable


def statistics() -> Iterator[dict[str, Any]]:
    for row in reception_stats():
        yield {"reception": row.reception.code, "title": row.reception.title_uk,
               "title_en": row.reception.title_en, "kind": row.reception.kind,
               "received": row.received, "answered": row.answered, "on_time": row.on_time,
               "overdue_open": row.overdue_open, "average_days": row.average_days}


DATASETS = (
    OpenDataset(
        name="appeals-statistics", title="Статистика звернень громадян",
        title_en="Statistics of citizens' appeals",
        description="Для кожної е-приймальні: отримано, відповідено, вчасно, прострочено, "
                    "середній строк відповіді.",
        description_en="For each e-reception: received, answered, on time, overdue, "
                       "average days to answer.",
        publisher="council", theme="GOVE", keywords=("звернення громадян", "статистика"),
        frequency="DAILY", resolution_835="all-005",
        stale_on=("appeals.AppealRegistered", "appeals.AppealAnswered", "appeals.AppealOverdue"),
        tables=(OpenTable("statistics", "Статистика за приймальнями", "Per reception", (
            Column("reception", "string", "Приймальня (код)", "Reception code"),
            Column("title", "string", "Приймальня", "Reception"),
            Column("title_en", "string", "Приймальня англійською", "Reception in English"),
            Column("kind", "string", "Тип", "Kind"),
            Column("received", "integer", "Отримано", "Received", "appeals"),
            Column("answered", "integer", "Відповідено", "Answered", "appeals"),
            Column("on_time", "integer", "Вчасно", "On time", "appeals"),
            Column("overdue_open", "integer", "Прострочено", "Overdue", "appeals"),
            Column("average_days", "number", "Середній строк", "Average time", "days"),
        ), statistics),)),
)
