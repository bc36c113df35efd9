"""Open to anyone: polls, their keys, results (once public), the ballots as the ledger holds
them, the recount, hearings with documents and comments, and casting a ballot with a
blind-signed token (no sign-in: the token is the right)."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Status
from pydantic import Field

from misto.consultations import services
from misto.consultations.api.convert import ballot_out, hearing_out, poll_out, results_out
from misto.consultations.api.schemas import (
    HearingOut,
    PollBallotIn,
    PollBallotOut,
    PollKeyOut,
    PollLedgerBallot,
    PollOut,
    PollRecountLine,
    PollRecountOut,
    PollResultsOut,
    Receipt,
)
from misto.consultations.errors import ConsultationsCode, ConsultationsError
from misto.consultations.models import Hearing, Poll, PollKey, State
from misto.core.audience import Audience
from misto.core.ballots import load_public
from misto.core.schemas import DbId, refusals

routes = Audience()
PageSize = Annotated[int, Field(ge=1, le=1000)]
Offset = Annotated[int, Field(ge=0, le=10_000_000)]


@routes.get("/polls", response={200: list[PollOut], **refusals()}, summary="Polls")
def polls(request: HttpRequest) -> list[PollOut]:
    rows = Poll.objects.exclude(state=State.DRAFT).prefetch_related("options")
    return [poll_out(p) for p in rows]


@routes.get("/polls/{poll_id}", response={200: PollOut, **refusals(404)}, summary="One poll")
def poll(request: HttpRequest, poll_id: DbId) -> PollOut:
    return poll_out(services.access(Poll, request.user, poll_id))


@routes.get("/polls/{poll_id}/keys", response={200: list[PollKeyOut], **refusals(404)},
            summary="The poll's public keys: verify any ballot's token signature")
def keys(request: HttpRequest, poll_id: DbId) -> list[PollKeyOut]:
    found = services.access(Poll, request.user, poll_id)
    return [PollKeyOut(group=row.group, public_key=row.public_key,
                       n=format(numbers.n, "x"), e=numbers.e)
            for row in PollKey.objects.filter(poll=found).order_by("group")
            for numbers in [load_public(row.public_key).public_numbers()]]


@routes.post("/polls/{poll_id}/ballots",
             response={201: PollBallotOut, **refusals(403, 404, 409)},
             summary="Cast a secret ballot with a blind-signed token (no sign-in)")
def cast(request: HttpRequest, poll_id: DbId, body: PollBallotIn) -> Status[PollBallotOut]:
    found = services.access(Poll, request.user, poll_id)
    ballot = services.cast(found, body.group, services.unb64(body.token, "token"),
                           services.unb64(body.signature, "signature"), body.choices,
                           body.text)
    return Status(201, ballot_out(ballot))


@routes.get("/polls/{poll_id}/ballots",
            response={200: list[PollLedgerBallot], **refusals(404)},
            summary="The poll's ballots as the public ledger holds them, to recount")
def ballots(request: HttpRequest, poll_id: DbId, offset: Offset = 0,
            limit: PageSize = 1000) -> list[PollLedgerBallot]:
    from misto.ledger.reading import entries

    found = services.access(Poll, request.user, poll_id)
    chosen = []
    for position, record in enumerate(entries(services.BALLOT_KIND, where={"poll": found.pk})):
        if position >= offset + limit:
            break
        if position >= offset:
            chosen.append(PollLedgerBallot(index=record.index, leaf_hash=record.leaf_hash,
                                           time=record.time, data=record.data))
    return chosen


@routes.get("/ballots/{receipt}", response={200: PollBallotOut, **refusals(404)},
            summary="Find my ballot by its receipt")
def find(request: HttpRequest, receipt: Receipt) -> PollBallotOut:
    found = services.find_ballot(receipt)
    if found is None:
        raise ConsultationsError(ConsultationsCode.NOT_FOUND,
                                 _("There is no ballot with this receipt."))
    return ballot_out(found)


@routes.get("/polls/{poll_id}/results", response={200: PollResultsOut, **refusals(404, 409)},
            summary="Results: after the poll closes, or live if the poll says so")
def results(request: HttpRequest, poll_id: DbId) -> PollResultsOut:
    found = services.access(Poll, request.user, poll_id)
    if not services.results_public(found):
        raise ConsultationsError(ConsultationsCode.WRONG_STATE,
                                 _("The results are published when the poll closes."))
    return results_out(found)


@routes.get("/polls/{poll_id}/recount", response={200: PollRecountOut, **refusals(404)},
            summary="Recount from the public ledger against the counts shown")
def recount(request: HttpRequest, poll_id: DbId) -> PollRecountOut:
    found = services.access(Poll, request.user, poll_id)
    result = services.recount(found)
    return PollRecountOut(poll=found.pk, agrees=result.agrees,
                          ballots_ledger=result.ballots_ledger,
                          ballots_shown=result.ballots_shown,
                          options=[PollRecountLine(position=p, ledger=lg, shown=s)
                                   for p, lg, s in result.counts],
                          forged=result.forged, reused=result.reused, invalid=result.invalid)


@routes.get("/hearings", response={200: list[HearingOut], **refusals()},
            summary="Public consultations")
def hearings(request: HttpRequest) -> list[HearingOut]:
    rows = Hearing.objects.exclude(state=State.DRAFT).prefetch_related("documents",
                                                                       "comments")
    return [hearing_out(h) for h in rows]


@routes.get("/hearings/{hearing_id}", response={200: HearingOut, **refusals(404)},
            summary="One consultation: documents, comments, the report")
def hearing(request: HttpRequest, hearing_id: DbId) -> HearingOut:
    return hearing_out(services.access(Hearing, request.user, hearing_id))
