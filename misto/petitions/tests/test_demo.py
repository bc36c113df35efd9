"""The demo loads a petition in every status, idempotently, and every recount agrees."""

from __future__ import annotations

from io import StringIO

import pytest

from misto.petitions import demo, services
from misto.petitions.models import PUBLIC, Petition, Status
from misto.residents import demo as residents_demo
from misto.twin import demo as twin_demo

pytestmark = pytest.mark.django_db


def test_demo_petitions_cover_every_status_and_recount() -> None:
    twin_demo.load(StringIO())
    residents_demo.load(StringIO())
    demo.load(StringIO())
    assert set(Petition.objects.values_list("status", flat=True)) == set(Status.values)
    assert Petition.objects.filter(overdue_since__isnull=False).count() == 1
    for petition in Petition.objects.filter(status__in=PUBLIC):
        assert services.recount(petition).agrees, petition.number
    count = Petition.objects.count()
    out = StringIO()
    demo.load(out)
    assert Petition.objects.count() == count and "already" in out.getvalue()
