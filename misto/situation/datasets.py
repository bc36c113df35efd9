"""The situation centre's open dataset (``MistoModule.datasets``): resolved incidents counted
per month, kind and district, with how long they took and how many met the kind's target.
Never an incident's title, address, point, sources, crew or notes; a count under ``SMALL``
is suppressed with its times (one incident in a district and month could point at a
household)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.utils import timezone

from misto.core.registry import Column, OpenDataset, OpenTable
from misto.situation.models import Incident, Status

SMALL = 3


def resolved_by_month() -> Iterator[dict[str, Any]]:
    groups: dict[tuple[str, str, str], list[tuple[float, bool | None]]] = defaultdict(list)
    titles: dict[str, tuple[str, str]] = {}
    names: dict[str, str] = {}
    for incident in (Incident.objects.filter(status=Status.RESOLVED, resolved_at__isnull=False)
                     .select_related("kind").order_by("resolved_at")):
        resolved_at = incident.resolved_at
        assert resolved_at is not None  # filtered above
        month = timezone.localtime(resolved_at).strftime("%Y-%m")
        hours = (resolved_at - incident.opened_at).total_seconds() / 3600
        target = incident.kind.resolution_target_minutes
        groups[(month, incident.kind.code, incident.district)].append(
            (hours, hours * 60 <= target if target else None))
        titles[incident.kind.code] = (incident.kind.title_uk, incident.kind.title_en)
        names.setdefault(incident.district, incident.district_name)
    for (month, kind, district), times in sorted(groups.items()):
        shown = len(times) >= SMALL
        targets = [met for _hours, met in times if met is not None]
        yield {"month": month, "kind": kind, "kind_title": titles[kind][0],
               "kind_title_en": titles[kind][1], "district": district or None,
               "district_name": names.get(district) or None,
               "resolved": len(times) if shown else None,
               "mean_hours": round(sum(hours for hours, _met in times) / len(times), 2)
               if shown else None,
               "within_target": sum(targets) if shown and targets else None}


DATASETS = (
    OpenDataset(
        name="incidents-resolved", title="Усунені інциденти за місяцями",
        title_en="Resolved incidents by month",
        description="Скільки інцидентів (аварії, відключення, переповнені контейнери...) "
                    "ситуаційний центр усунув за місяць, за видом і районом, за скільки "
                    f"годин у середньому і скільки вчасно; менше {SMALL} не показано.",
        description_en="How many incidents (breakdowns, outages, full containers...) the "
                       "situation centre resolved each month, by kind and district, in how "
                       f"many hours on average and how many on time; under {SMALL} "
                       "suppressed.",
        publisher="it", theme="GOVE", keywords=("інциденти", "ситуаційний центр", "аварії"),
        frequency="DAILY", stale_on=("situation.IncidentResolved",),
        tables=(OpenTable("monthly", "За місяцями", "By month", (
            Column("month", "string", "Місяць (РРРР-ММ)", "Month (YYYY-MM)"),
            Column("kind", "string", "Вид (код)", "Kind code"),
            Column("kind_title", "string", "Вид", "Kind"),
            Column("kind_title_en", "string", "Вид англійською", "Kind in English"),
            Column("district", "string", "Район (КАТОТТГ)", "District (KATOTTG)"),
            Column("district_name", "string", "Район", "District"),
            Column("resolved", "integer", f"Усунено (менше {SMALL} приховано)",
                   f"Resolved (under {SMALL} suppressed)", "incidents"),
            Column("mean_hours", "number", "Середній час усунення", "Mean time to resolve",
                   "hours"),
            Column("within_target", "integer", "Вчасно", "Within the target", "incidents"),
        ), resolved_by_month),)),
)
