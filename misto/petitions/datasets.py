"""The petitions module's open dataset (``MistoModule.datasets``): public petitions with
their counts; never the signers (their list is on the petition's page, as the law asks)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils import timezone

from misto.core.registry import Column, OpenDataset, OpenTable
from misto.petitions.models import PUBLIC, Petition


def petitions() -> Iterator[dict[str, Any]]:
    for petition in Petition.objects.filter(status__in=PUBLIC).order_by("number"):
        yield {"number": petition.number, "title": petition.title, "topic": petition.topic,
               "status": petition.status, "district": petition.district,
               "signatures": petition.signature_count, "threshold": petition.threshold,
               "opened_on": timezone.localdate(petition.opened_at)
               if petition.opened_at else None,
               "collection_ends": petition.collection_ends,
               "answered_on": timezone.localdate(petition.answered_at)
               if petition.answered_at else None}


DATASETS = (
    OpenDataset(
        name="petitions", title="Електронні петиції", title_en="E-petitions",
        description="Оприлюднені петиції до міської ради: статус, кількість підписів, поріг.",
        description_en="Published petitions to the city council: status, signatures, "
                       "threshold.",
        publisher="council", theme="GOVE", keywords=("петиції", "е-демократія"),
        frequency="DAILY",
        stale_on=("petitions.PetitionOpened", "petitions.PetitionThresholdReached",
                  "petitions.PetitionClosed", "petitions.PetitionAnswered"),
        tables=(OpenTable("petitions", "Петиції", "Petitions", (
            Column("number", "string", "Номер", "Number"),
            Column("title", "string", "Назва", "Title"),
            Column("topic", "string", "Тема", "Topic"),
            Column("status", "string", "Статус", "Status"),
            Column("district", "string", "Район (КАТОТТГ)", "District (KATOTTG)"),
            Column("signatures", "integer", "Підписів", "Signatures", "signatures"),
            Column("threshold", "integer", "Потрібно підписів", "Signatures needed",
                   "signatures"),
            Column("opened_on", "date", "Оприлюднено", "Opened on"),
            Column("collection_ends", "date", "Збір до", "Collection ends"),
            Column("answered_on", "date", "Дата відповіді", "Answered on"),
        ), petitions),)),
)
