"""Staff: the review queue and conclusions; the round's phases."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router
from ninja.security import django_auth

from misto.budget import services
from misto.budget.api.convert import project_out, round_out
from misto.budget.api.schemas import (
    PhaseIn,
    ProgressIn,
    ProjectOut,
    ReviewIn,
    RoundNumber,
    RoundOut,
)
from misto.core.permissions import require
from misto.core.schemas import DbId, refusals

router = Router(tags=["budget: staff"], auth=django_auth)


@router.get("/review", response={200: list[ProjectOut], **refusals(401, 403)},
            summary="Projects waiting for a feasibility review")
def queue(request: HttpRequest) -> list[ProjectOut]:
    require(request.user, "budget.project.review")
    return [project_out(p) for p in services.review_queue()]


@router.post("/projects/{project_id}/review",
             response={200: ProjectOut, **refusals(401, 403, 404, 409)},
             summary="Approve for the ballot or reject, with the conclusion")
def review(request: HttpRequest, project_id: DbId, body: ReviewIn) -> ProjectOut:
    project = services.access_project(request.user, project_id, "budget.project.review")
    return project_out(services.review(request.user, project, approve=body.approve,
                                       reason=body.reason, cost=body.cost))


@router.post("/rounds/{number}/phase", response={200: RoundOut,
                                                 **refusals(401, 403, 404, 409)},
             summary="Move the round to a later phase (results: winners and the ledgered tally)")
def phase(request: HttpRequest, number: RoundNumber, body: PhaseIn) -> RoundOut:
    found = services.access_round(number)
    require(request.user, "budget.round.manage", found)
    return round_out(services.do_set_phase(found, body.phase))


@router.post("/projects/{project_id}/progress",
             response={200: ProjectOut, **refusals(401, 403, 404, 409)},
             summary="Record a winner's implementation step (stage, money spent, what was done)")
def progress(request: HttpRequest, project_id: DbId, body: ProgressIn) -> ProjectOut:
    project = services.access_project(request.user, project_id, "budget.project.implement")
    services.record_progress(request.user, project, body.stage, body.spent, body.note)
    return project_out(services.access_project(request.user, project_id))
