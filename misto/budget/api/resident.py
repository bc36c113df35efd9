"""The signed-in resident: proposing a project and receiving the round's voting token."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status
from ninja.security import django_auth

from misto.budget import services
from misto.budget.api.convert import project_out
from misto.budget.api.schemas import (
    AnswerIn,
    BudgetTokenOut,
    ProjectOut,
    ProposalIn,
    RoundNumber,
    TokenIn,
)
from misto.core.schemas import DbId, refusals
from misto.residents import levels

router = Router(tags=["budget: resident"], auth=django_auth)


@router.get("/mine", response={200: list[ProjectOut], **refusals(401)},
            summary="My projects")
def mine(request: HttpRequest) -> list[ProjectOut]:
    return [project_out(p) for p in services.own_projects(request.user)]


@router.post("/rounds/{number}/proposals", response={201: ProjectOut,
                                                     **refusals(401, 403, 404, 409)},
             summary="Propose a project placed on the twin (a verified sign-in)")
def propose(request: HttpRequest, number: RoundNumber, body: ProposalIn) -> Status[ProjectOut]:
    found = services.access_round(number)
    checked = services.check_proposal(request.user, levels.level_of(request), found,
                                      body.title, body.description, body.cost, body.place,
                                      lines=[(line.item, line.amount) for line in body.lines])
    return Status(201, project_out(services.do_propose(request.user, found, checked)))


@router.post("/rounds/{number}/token", response={200: BudgetTokenOut,
                                                 **refusals(401, 403, 404, 409)},
             summary="Blind-sign my voting token (once per round; RFC 9474)")
def token(request: HttpRequest, number: RoundNumber, body: TokenIn) -> BudgetTokenOut:
    found = services.access_round(number)
    issued = services.issue_token(request.user, levels.level_of(request), found,
                                  services.unb64(body.blinded_msg, "blinded_msg"), body.district)
    return BudgetTokenOut(district=issued.district, public_key=issued.public_key,
                    blind_signature=services.b64(issued.blind_signature))


@router.post("/projects/{project_id}/answer", response={200: ProjectOut,
                                                        **refusals(401, 404, 409)},
             summary="The author's one public answer to the review")
def answer(request: HttpRequest, project_id: DbId, body: AnswerIn) -> ProjectOut:
    project = services.access_project(request.user, project_id)
    return project_out(services.answer_review(request.user, project, body.text))
