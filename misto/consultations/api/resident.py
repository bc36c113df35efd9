"""The signed-in resident: receiving a poll's voting token and commenting on a hearing."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Status
from ninja.security import django_auth

from misto.consultations import services
from misto.consultations.api.convert import comment_out
from misto.consultations.api.schemas import (
    HearingCommentIn,
    HearingCommentOut,
    PollTokenIn,
    PollTokenOut,
)
from misto.consultations.models import Hearing, Poll
from misto.core import ballots
from misto.core.audience import Audience
from misto.core.schemas import DbId, refusals
from misto.residents import levels

routes = Audience(auth=django_auth)


@routes.post("/polls/{poll_id}/token",
             response={200: PollTokenOut, **refusals(401, 403, 404, 409)},
             summary="Blind-sign my voting token (once per poll; RFC 9474)")
def token(request: HttpRequest, poll_id: DbId, body: PollTokenIn) -> PollTokenOut:
    found = services.access(Poll, request.user, poll_id)
    issued = services.issue_token(request.user, levels.level_of(request), found,
                                  services.unb64(body.blinded_msg, "blinded_msg"), body.group)
    return PollTokenOut(group=issued.group, public_key=issued.public_key,
                        blind_signature=ballots.b64(issued.blind_signature))


@routes.post("/hearings/{hearing_id}/comments",
             response={201: HearingCommentOut, **refusals(401, 403, 404, 409)},
             summary="Comment on a consultation, or reply to a comment")
def comment(request: HttpRequest, hearing_id: DbId,
            body: HearingCommentIn) -> Status[HearingCommentOut]:
    found = services.access(Hearing, request.user, hearing_id)
    row = services.comment(request.user, levels.level_of(request), found, body.body,
                           body.parent)
    return Status(201, comment_out(row))
