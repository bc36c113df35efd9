"""Rounds: created with their rules and one blind-signing key per district; moved through
their phases by the budget commission; the results chosen by the round's rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _

from misto import twin
from misto.budget.errors import BudgetCode, BudgetError
from misto.budget.events import RoundPhaseChanged
from misto.budget.models import (
    ON_BALLOT,
    PHASES,
    DistrictBudget,
    Method,
    Phase,
    Project,
    Round,
    Status,
)
from misto.core import ballots, bus
from misto.ledger import append

RESULT_KIND = "budget.result"
#: The city-wide pool's code in tallies and Pabulib files (a project spanning districts).
CITY = ""


def create_round(number: str, title_uk: str, title_en: str, amounts: dict[str, int], *,
                 city_amount: int = 0, key_bits: int = 2048, **rules: Any) -> Round:
    """A round in its proposals phase, with each district's amount and signing key."""
    known = {d.katottg for d in twin.districts()}
    unknown = sorted(set(amounts) - known)
    if unknown:
        raise BudgetError(BudgetCode.INVALID, _("Unknown districts: %(codes)s")
                          % {"codes": ", ".join(unknown)}, field="amounts")
    with transaction.atomic():
        found = Round.objects.create(number=number, title_uk=title_uk, title_en=title_en,
                                     city_amount=city_amount, **rules)
        for district, amount in sorted(amounts.items()):
            public, private = ballots.new_keypair(key_bits)
            DistrictBudget.objects.create(round=found, district=district, amount=amount,
                                          public_key=public, private_key=private)
    return found


def amount_for(found: Round, district: str) -> int:
    if district == CITY:
        return found.city_amount
    row = DistrictBudget.objects.filter(round=found, district=district).first()
    return row.amount if row else 0


def voting_open(found: Round, today: date | None = None) -> bool:
    from django.utils import timezone

    today = today or timezone.localdate()
    return (found.phase == Phase.VOTING
            and (found.voting_from is None or found.voting_from <= today)
            and (found.voting_until is None or today <= found.voting_until))


@dataclass(frozen=True)
class PoolResult:
    district: str  # CITY for the city-wide pool
    amount: int
    spent: int
    winners: list[Project]
    projects: list[Project]


def select_winners(found: Round) -> list[PoolResult]:
    """Per pool (each district, then the city-wide one): projects by votes (ties: the
    cheaper, then the earlier number) taken greedily while they fit the pool's amount, the
    rule Pabulib calls greedy; the same for the approval and the basket methods."""
    pools = [(row.district, row.amount) for row in
             DistrictBudget.objects.filter(round=found).order_by("district")]
    pools.append((CITY, found.city_amount))
    results = []
    for district, amount in pools:
        projects = list(Project.objects.filter(round=found, district=district,
                                               status__in=ON_BALLOT)
                        .order_by("-votes", "cost", "number"))
        spent, winners = 0, []
        for project in projects:
            if project.votes > 0 and spent + project.cost <= amount:
                spent += project.cost
                winners.append(project)
        if projects or amount:
            results.append(PoolResult(district, amount, spent, winners, projects))
    return results


def _publish_results(found: Round) -> None:
    results = select_winners(found)
    won = {p.pk for pool in results for p in pool.winners}
    Project.objects.filter(round=found, status__in=ON_BALLOT, pk__in=won) \
        .update(status=Status.WINNER)
    Project.objects.filter(round=found, status__in=ON_BALLOT).exclude(pk__in=won) \
        .update(status=Status.NOT_SELECTED)
    append(RESULT_KIND, {
        "round": found.number, "ballots": found.ballots_count,
        "pools": [{"district": pool.district, "amount": pool.amount, "spent": pool.spent,
                   "votes": {p.number: p.votes for p in pool.projects},
                   "winners": [p.number for p in pool.winners]} for pool in results]})


def do_set_phase(found: Round, phase: str) -> Round:
    """Move the round forward to ``phase``; entering the results phase selects the winners
    and ledgers the tally. Going back is refused (a vote once closed stays closed)."""
    if phase not in PHASES:
        raise BudgetError(BudgetCode.INVALID, _("Unknown phase."), field="phase")
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=found.pk)
        if PHASES.index(phase) <= PHASES.index(locked.phase):
            raise BudgetError(BudgetCode.WRONG_PHASE,
                              _("A round only moves forward; it is already in the "
                                "%(phase)s phase.") % {"phase": locked.get_phase_display()})
        if phase in (Phase.RESULTS, Phase.IMPLEMENTATION) and locked.phase in (
                Phase.PROPOSALS, Phase.REVIEW, Phase.VOTING) and \
                PHASES.index(locked.phase) < PHASES.index(Phase.RESULTS):
            locked.phase = phase
            locked.save(update_fields=["phase"])
            _publish_results(locked)
        else:
            locked.phase = phase
            locked.save(update_fields=["phase"])
        bus.publish(RoundPhaseChanged(
            round=locked.number, phase=phase,
            districts=tuple(DistrictBudget.objects.filter(round=locked)
                            .values_list("district", flat=True)),
            url=reverse("budget:round", args=[locked.number])))
    return locked


def count_ballot(found: Round, numbers: list[str]) -> None:
    """The displayed counts, kept in the casting transaction (``voting.cast``)."""
    Project.objects.filter(round=found, number__in=numbers).update(votes=F("votes") + 1)
    Round.objects.filter(pk=found.pk).update(ballots_count=F("ballots_count") + 1)


__all__ = ["CITY", "Method", "PoolResult", "amount_for", "create_round", "do_set_phase",
           "select_winners", "voting_open"]
