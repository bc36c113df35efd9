"""The e-services catalogue (searchable by need) and the partners ecosystem."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from misto.directory.models import EService, Organisation
from misto.directory.services.places import _words


def search_services(query: str = "") -> QuerySet[EService]:
    """Services matching every word (title, summary or search words, both languages); a
    word's last letter is dropped when long, so "довідку" finds "довідка"."""
    rows = EService.objects.prefetch_related("units")
    for word in _words(query):
        stem = word[:-1] if len(word) > 4 else word
        rows = rows.filter(Q(title_uk__icontains=stem) | Q(title_en__icontains=stem)
                           | Q(summary_uk__icontains=stem) | Q(summary_en__icontains=stem)
                           | Q(keywords__icontains=stem))
    return rows


def partners() -> QuerySet[Organisation]:
    return (Organisation.objects.filter(public=True).exclude(partner_role="")
            .order_by("partner_role", "name_uk"))
