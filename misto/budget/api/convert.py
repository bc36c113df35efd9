"""Rows to API shapes."""

from __future__ import annotations

import json

from misto.budget import services
from misto.budget.api.schemas import (
    BallotOut,
    BudgetCostLine,
    PoolOut,
    ProgressOut,
    ProjectOut,
    RoundOut,
)
from misto.budget.models import Ballot, DistrictBudget, Project, Round
from misto.core.i18n import localized


def round_out(found: Round) -> RoundOut:
    return RoundOut(
        number=found.number, title=localized(found, "title"), phase=found.phase,
        proposals_until=found.proposals_until, voting_from=found.voting_from,
        voting_until=found.voting_until, city_amount=found.city_amount,
        districts=dict(DistrictBudget.objects.filter(round=found)
                       .values_list("district", "amount")),
        project_min=found.project_min, project_max=found.project_max, method=found.method,
        max_choices=found.max_choices, min_age=found.min_age, ballots=found.ballots_count,
        voting_open=services.voting_open(found))


def project_out(project: Project) -> ProjectOut:
    return ProjectOut(id=project.pk, number=project.number, round=project.round.number,
                      title=project.title, description=project.description,
                      district=project.district, cost=project.cost,
                      proposed_cost=project.proposed_cost, status=project.status,
                      review_reason=project.review_reason,
                      author_answer=project.author_answer, votes=project.votes,
                      spent=project.spent,
                      progress=[ProgressOut(stage=p.stage, spent=p.spent, note=p.note,
                                            recorded_at=p.created_at)
                                for p in project.progress.all()],
                      place=json.loads(project.place.geojson),
                      cost_lines=[BudgetCostLine(item=line.item, amount=line.amount)
                                  for line in project.cost_lines.all()])


def pool_out(pool: services.PoolResult) -> PoolOut:
    return PoolOut(district=pool.district, amount=pool.amount, spent=pool.spent,
                   winners=[p.number for p in pool.winners])


def ballot_out(ballot: Ballot) -> BallotOut:
    return BallotOut(round=ballot.round.number, district=ballot.district,
                     receipt=ballot.receipt, choices=list(ballot.choices),
                     ledger_index=ballot.ledger_index)
