"""The e-services catalogue (searchable by need) and the partners ecosystem."""

from __future__ import annotations

from django.db.models import QuerySet

from misto.directory.models import EService, Organisation
from misto.directory.services.places import matching, words


def search_services(query: str = "") -> QuerySet[EService]:
    """Services matching every word (title, summary or search words, both languages); a
    word's last letter is dropped when long, so "довідку" finds "довідка"."""
    rows = EService.objects.all()
    for word in words(query):
        rows = rows.filter(matching(word, "title_uk", "title_en", "summary_uk", "summary_en",
                                    "keywords"))
    return rows


def partners() -> QuerySet[Organisation]:
    return (Organisation.objects.filter(public=True).exclude(partner_role="")
            .order_by("partner_role", "name_uk"))
