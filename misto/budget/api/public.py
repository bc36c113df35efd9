"""Open to anyone: rounds, projects, the keys, results, the recount, the ballots, Pabulib,
and casting a ballot with a blind-signed token (no sign-in: the token is the right)."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Router, Status
from pydantic import Field

from misto.budget import services
from misto.budget.api.convert import ballot_out, pool_out, project_out, round_out
from misto.budget.api.schemas import (
    BallotIn,
    BallotOut,
    BudgetKeyOut,
    BudgetRecountOut,
    ProjectOut,
    Receipt,
    RecountLine,
    ResultsOut,
    RoundNumber,
    RoundOut,
)
from misto.budget.errors import BudgetCode, BudgetError
from misto.budget.models import DistrictBudget, Phase, Round
from misto.core.ballots import load_public
from misto.core.schemas import DbId, refusals
from misto.ledger.reading import entries

router = Router(tags=["budget"])
PageSize = Annotated[int, Field(ge=1, le=1000)]
Offset = Annotated[int, Field(ge=0, le=10_000_000)]


@router.get("/rounds", response={200: list[RoundOut], **refusals()}, summary="Budget rounds")
def rounds(request: HttpRequest) -> list[RoundOut]:
    return [round_out(r) for r in Round.objects.order_by("-number")]


@router.get("/rounds/{number}", response={200: RoundOut, **refusals(404)},
            summary="One round with its rules, amounts and phase")
def one_round(request: HttpRequest, number: RoundNumber) -> RoundOut:
    return round_out(services.access_round(number))


@router.get("/rounds/{number}/projects", response={200: list[ProjectOut], **refusals(404)},
            summary="The round's projects (rejected ones too, with the reason)")
def projects(request: HttpRequest, number: RoundNumber,
             district: Annotated[str, Field(max_length=64)] | None = None) -> list[ProjectOut]:
    found = services.access_round(number)
    return [project_out(p) for p in services.round_projects(found, district=district)
            .select_related("round").prefetch_related("progress")]


@router.get("/projects/{project_id}", response={200: ProjectOut, **refusals(404)},
            summary="One project")
def project(request: HttpRequest, project_id: DbId) -> ProjectOut:
    return project_out(services.access_project(request.user, project_id))


@router.get("/rounds/{number}/keys", response={200: list[BudgetKeyOut], **refusals(404)},
            summary="The districts' public keys: verify any ballot's token signature")
def keys(request: HttpRequest, number: RoundNumber) -> list[BudgetKeyOut]:
    found = services.access_round(number)
    rows = DistrictBudget.objects.filter(round=found).order_by("district")
    return [BudgetKeyOut(district=row.district, public_key=row.public_key,
                   n=format(numbers.n, "x"), e=numbers.e)
            for row in rows
            for numbers in [load_public(row.public_key).public_numbers()]]


@router.post("/rounds/{number}/ballots", response={201: BallotOut, **refusals(403, 404, 409)},
             summary="Cast a secret ballot with a blind-signed token (no sign-in)")
def cast(request: HttpRequest, number: RoundNumber, body: BallotIn) -> Status[BallotOut]:
    found = services.access_round(number)
    ballot = services.cast(found, body.district, services.unb64(body.token, "token"),
                           services.unb64(body.signature, "signature"), body.choices)
    return Status(201, ballot_out(ballot))


@router.get("/rounds/{number}/ballots", response={200: list[dict[str, Any]], **refusals(404)},
            summary="The round's ballots as the public ledger holds them, to recount")
def ballots(request: HttpRequest, number: RoundNumber, offset: Offset = 0,
            limit: PageSize = 1000) -> list[dict[str, Any]]:
    found = services.access_round(number)
    chosen = []
    for position, record in enumerate(entries(services.BALLOT_KIND,
                                              where={"round": found.number})):
        if position >= offset + limit:
            break
        if position >= offset:
            chosen.append({"index": record.index, "leaf_hash": record.leaf_hash,
                           "time": record.time, "data": record.data})
    return chosen


@router.get("/ballots/{receipt}", response={200: BallotOut, **refusals(404)},
            summary="Find my ballot by its receipt")
def find(request: HttpRequest, receipt: Receipt) -> BallotOut:
    found = services.find_ballot(receipt)
    if found is None:
        raise BudgetError(BudgetCode.NOT_FOUND, "There is no ballot with this receipt.")
    return ballot_out(found)


@router.get("/rounds/{number}/results", response={200: ResultsOut, **refusals(404)},
            summary="Results per district and city-wide (after voting closes)")
def results(request: HttpRequest, number: RoundNumber) -> ResultsOut:
    found = services.access_round(number)
    pools = services.select_winners(found) if found.phase in (
        Phase.RESULTS, Phase.IMPLEMENTATION) else []
    return ResultsOut(round=found.number, phase=found.phase, ballots=found.ballots_count,
                      pools=[pool_out(p) for p in pools])


@router.get("/rounds/{number}/recount", response={200: BudgetRecountOut, **refusals(404)},
            summary="Recount from the public ledger against the counts shown")
def recount(request: HttpRequest, number: RoundNumber) -> BudgetRecountOut:
    found = services.access_round(number)
    result = services.recount(found)
    return BudgetRecountOut(round=found.number, agrees=result.agrees,
                      ballots_ledger=result.ballots_ledger, ballots_shown=result.ballots_shown,
                      projects=[RecountLine(project=n, ledger=lg, shown=s)
                                for n, lg, s in result.counts],
                      forged=result.forged, reused=result.reused, invalid=result.invalid)
