"""Organisers and moderators: polls and hearings created, published, closed and reported;
comments hidden with a cited rule."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Status
from ninja.security import django_auth

from misto.consultations import services
from misto.consultations.api.convert import comment_out, hearing_out, poll_out
from misto.consultations.api.schemas import (
    CommentHideIn,
    HearingCommentOut,
    HearingIn,
    HearingOut,
    HearingReportIn,
    PollIn,
    PollOut,
)
from misto.consultations.models import Hearing, Poll
from misto.core.audience import Audience
from misto.core.permissions import require
from misto.core.schemas import DbId, refusals

routes = Audience(auth=django_auth)
POLL, HEARING = "consultations.poll.manage", "consultations.hearing.manage"


@routes.post("/polls", response={201: PollOut, **refusals(401, 403, 404)},
             summary="Create a poll (a draft)")
def create_poll(request: HttpRequest, body: PollIn) -> Status[PollOut]:
    require(request.user, POLL)
    hearing = services.access(Hearing, request.user, body.hearing) if body.hearing else None
    checked = services.check_poll(
        body.title_uk, body.title_en, [(o.text_uk, o.text_en) for o in body.options],
        closes_at=body.closes_at, opens_at=body.opens_at, summary_uk=body.summary_uk,
        summary_en=body.summary_en, choice=body.choice, max_choices=body.max_choices,
        districts=body.districts, district_only=body.district_only, min_age=body.min_age,
        register_verified_only=body.register_verified_only, free_text=body.free_text,
        effect=body.effect, live_results=body.live_results, by_district=body.by_district,
        hearing=hearing)
    return Status(201, poll_out(services.do_create_poll(request.user, checked)))


def _managed_poll(request: HttpRequest, poll_id: int) -> Poll:
    found = services.access(Poll, request.user, poll_id)
    require(request.user, POLL, found)
    return found


@routes.post("/polls/{poll_id}/publish", response={200: PollOut, **refusals(401, 403, 404, 409)},
             summary="Open the poll (its keys are made and published)")
def publish_poll(request: HttpRequest, poll_id: DbId) -> PollOut:
    return poll_out(services.do_publish(_managed_poll(request, poll_id)))


@routes.post("/polls/{poll_id}/close", response={200: PollOut, **refusals(401, 403, 404, 409)},
             summary="Close the poll now (its results become public)")
def close_poll(request: HttpRequest, poll_id: DbId) -> PollOut:
    return poll_out(services.do_close(_managed_poll(request, poll_id)))


@routes.post("/hearings", response={201: HearingOut, **refusals(401, 403)},
             summary="Create a public consultation (a draft) with its documents")
def create_hearing(request: HttpRequest, body: HearingIn) -> Status[HearingOut]:
    require(request.user, HEARING)
    hearing = services.create_hearing(
        request.user, body.title_uk, body.closes_at, title_en=body.title_en,
        summary_uk=body.summary_uk, summary_en=body.summary_en,
        documents=[d.dict() for d in body.documents], districts=body.districts,
        district_only=body.district_only, min_age=body.min_age, opens_at=body.opens_at)
    return Status(201, hearing_out(hearing))


def _managed_hearing(request: HttpRequest, hearing_id: int) -> Hearing:
    found = services.access(Hearing, request.user, hearing_id)
    require(request.user, HEARING, found)
    return found


@routes.post("/hearings/{hearing_id}/publish",
             response={200: HearingOut, **refusals(401, 403, 404, 409)},
             summary="Open the consultation's comment period")
def publish_hearing(request: HttpRequest, hearing_id: DbId) -> HearingOut:
    return hearing_out(services.publish_hearing(_managed_hearing(request, hearing_id)))


@routes.post("/hearings/{hearing_id}/close",
             response={200: HearingOut, **refusals(401, 403, 404, 409)},
             summary="End the comment period now")
def close_hearing(request: HttpRequest, hearing_id: DbId) -> HearingOut:
    return hearing_out(services.close_hearing(_managed_hearing(request, hearing_id)))


@routes.post("/hearings/{hearing_id}/report",
             response={200: HearingOut, **refusals(401, 403, 404, 409)},
             summary="Publish the organiser's report of the results")
def report(request: HttpRequest, hearing_id: DbId, body: HearingReportIn) -> HearingOut:
    return hearing_out(services.publish_report(_managed_hearing(request, hearing_id),
                                               body.report_uk, body.report_en))


@routes.post("/comments/{comment_id}/hide",
             response={200: HearingCommentOut, **refusals(401, 403, 404, 409)},
             summary="Hide a comment citing the rule it breaks (the original is kept)")
def hide(request: HttpRequest, comment_id: DbId, body: CommentHideIn) -> HearingCommentOut:
    require(request.user, "consultations.comment.moderate")
    found = services.access_comment(request.user, comment_id)
    return comment_out(services.hide_comment(request.user, found, body.rule, body.reason))
