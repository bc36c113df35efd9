"""The index's open dataset (``MistoModule.datasets``): the catalogue of indicators and every
current value with its lineage (function and version, rows counted; or the source document
and the department), never the person who entered it.

The values are computed after the portal's own demo has published (the index counts the
portal's datasets among its indicators, so it loads after it): the dataset is marked stale
by ``index.ValuesComputed`` and regenerated once the values are there, on the demo city as
on a running one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from misto.core.registry import Column, OpenDataset, OpenTable
from misto.index.models import Indicator, Value


def indicators() -> Iterator[dict[str, Any]]:
    for indicator in Indicator.objects.filter(active=True).order_by("code"):
        yield {"code": indicator.code, "name": indicator.name_uk, "name_en": indicator.name_en,
               "theme": indicator.theme, "unit": indicator.unit,
               "direction": indicator.direction, "framework": indicator.framework,
               "reference": indicator.reference, "method": indicator.method,
               "formula": indicator.formula, "department": indicator.department,
               "goal_worst": indicator.goal_worst, "goal_best": indicator.goal_best,
               "weight": indicator.weight}


def values() -> Iterator[dict[str, Any]]:
    rows = (Value.objects.filter(superseded_at=None, indicator__active=True)
            .order_by("indicator__code", "period", "district")
            .values_list("indicator__code", "period", "district", "value", "indicator__unit",
                         "method", "function", "function_version", "inputs", "source",
                         "indicator__department", "recorded_at"))
    for (code, period, district, value, unit, method, function, version, inputs, source,
         department, recorded_at) in rows:
        yield {"code": code, "period": period, "district": district or None, "value": value,
               "unit": unit, "method": method, "function": function or None,
               "function_version": version, "inputs": inputs, "source": source or None,
               "department": department or None, "recorded_at": recorded_at}


DATASETS = (
    OpenDataset(
        name="city-progress-index", title="Індекс розвитку міста: показники та значення",
        title_en="City Progress Index: indicators and values",
        description="Показники Індексу розвитку міста (ISO 37120/37122/37123, U4SSC, "
                    "стратегія) і їхні поточні значення за роками, кварталами й місяцями, "
                    "по місту та районах, з походженням кожного значення: функція й версія "
                    "та кількість врахованих записів або документ-джерело й відповідальний "
                    "підрозділ.",
        description_en="The City Progress Index's indicators (ISO 37120/37122/37123, U4SSC, "
                       "the strategy) and their current values by year, quarter and month, "
                       "city-wide and per district, with how each value was obtained: the "
                       "function, its version and the rows counted, or the source document "
                       "and the responsible department.",
        publisher="economy", theme="GOVE",
        keywords=("індекс розвитку міста", "показники", "ISO 37120", "U4SSC", "стратегія"),
        frequency="DAILY", stale_on=("index.ValuesComputed",),
        tables=(
            OpenTable("values", "Значення", "Values", (
                Column("code", "string", "Код показника", "Indicator code"),
                Column("period", "string", "Період (РРРР, РРРР-Qn, РРРР-ММ)",
                       "Period (YYYY, YYYY-Qn, YYYY-MM)"),
                Column("district", "string", "Район (КАТОТТГ; порожньо: місто)",
                       "District (KATOTTG; empty: the city)"),
                Column("value", "number", "Значення", "Value"),
                Column("unit", "string", "Одиниця", "Unit"),
                Column("method", "string", "Спосіб отримання", "Method"),
                Column("function", "string", "Функція або формула", "Function or formula"),
                Column("function_version", "integer", "Версія функції", "Function version"),
                Column("inputs", "integer", "Враховано записів", "Rows counted"),
                Column("source", "string", "Документ-джерело", "Source document"),
                Column("department", "string", "Відповідальний підрозділ",
                       "Responsible department"),
                Column("recorded_at", "datetime", "Записано", "Recorded at"),
            ), values),
            OpenTable("indicators", "Показники", "Indicators", (
                Column("code", "string", "Код", "Code"),
                Column("name", "string", "Назва", "Name"),
                Column("name_en", "string", "Назва англійською", "Name in English"),
                Column("theme", "string", "Тема", "Theme"),
                Column("unit", "string", "Одиниця", "Unit"),
                Column("direction", "string", "Краще (higher/lower)",
                       "Better (higher/lower)"),
                Column("framework", "string", "Система показників", "Framework"),
                Column("reference", "string", "Посилання в стандарті",
                       "Reference in the framework"),
                Column("method", "string", "Спосіб отримання", "Method"),
                Column("formula", "string", "Формула", "Formula"),
                Column("department", "string", "Відповідальний підрозділ",
                       "Responsible department"),
                Column("goal_worst", "number", "Найгірша межа", "Goalpost: worst"),
                Column("goal_best", "number", "Найкраща межа", "Goalpost: best"),
                Column("weight", "number", "Вага в темі", "Weight in its theme"),
            ), indicators),
        )),
)
