"""The demo loads a finished round and one in voting, idempotently, and both recount."""

from __future__ import annotations

from io import StringIO

import pytest

from misto.budget import demo, services
from misto.budget.models import Phase, Round, Status
from misto.residents import demo as residents_demo
from misto.twin import demo as twin_demo

pytestmark = pytest.mark.django_db


def test_demo_rounds_have_results_and_recount() -> None:
    twin_demo.load(StringIO())
    residents_demo.load(StringIO())
    demo.load(StringIO())
    finished, voting = Round.objects.get(number="2025"), Round.objects.get(number="2026")
    assert finished.phase == Phase.RESULTS and voting.phase == Phase.VOTING
    assert services.voting_open(voting) and not services.voting_open(finished)
    assert finished.projects.filter(status=Status.WINNER).exists()
    assert finished.projects.filter(status=Status.REJECTED).exclude(review_reason="").exists()
    for found in (finished, voting):
        assert found.ballots_count > 0 and services.recount(found).agrees, found.number
    out = StringIO()
    demo.load(out)
    assert Round.objects.count() == 2 and "already" in out.getvalue()
