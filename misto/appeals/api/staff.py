"""Staff: the queue, registering phone and paper appeals, every step of handling, statistics."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.security import django_auth

from misto.appeals import services
from misto.appeals.api.convert import appeal_out, thread_out
from misto.appeals.api.schemas import (
    AppealAssignIn,
    AppealOut,
    AppealThreadOut,
    ExtendIn,
    Number,
    QueueFilter,
    RegisterIn,
    StatsOut,
    TextIn,
)
from misto.core.permissions import require
from misto.core.schemas import refusals

router = Router(tags=["appeals: staff"], auth=django_auth)
HANDLE = "appeals.appeal.handle"


@router.get("/queue", response={200: list[AppealOut], **refusals(401, 403)},
            summary="Appeals to handle: privileged first, then the nearest deadline")
def queue(request: HttpRequest, filters: Query[QueueFilter]) -> list[AppealOut]:
    require(request.user, "appeals.appeal.view")
    rows = services.queue_for(request.user, status=filters.status,
                              department=filters.department)
    return [appeal_out(a) for a in rows[filters.offset:filters.offset + filters.limit]]


@router.post("/registrations", response={201: AppealThreadOut, **refusals(401, 403)},
             summary="Register an appeal received by phone or on paper")
def register(request: HttpRequest, body: RegisterIn) -> Status[AppealThreadOut]:
    require(request.user, "appeals.appeal.register")
    checked = services.check_appeal(body.reception, body.kind, body.subject, body.text)
    appeal = services.register(checked, channel=body.channel, contact=body.contact,
                               registered_by=request.user, received_on=body.received_on)
    return Status(201, thread_out(appeal))


@router.post("/{number}/assignment", response={200: AppealOut, **refusals(401, 403, 404, 409)},
             summary="Assign an executor and the term (15 or 30 days)")
def assign(request: HttpRequest, number: Number, body: AppealAssignIn) -> AppealOut:
    appeal = services.access_appeal(request.user, number, HANDLE)
    executor = get_user_model().objects.filter(username=body.executor).first()
    return appeal_out(services.assign(request.user, appeal, executor, body.term_days))


@router.post("/{number}/information-requests",
             response={201: AppealThreadOut, **refusals(401, 403, 404, 409)},
             summary="Ask the resident for more information in the thread")
def request_information(request: HttpRequest, number: Number,
                        body: TextIn) -> Status[AppealThreadOut]:
    appeal = services.access_appeal(request.user, number, HANDLE)
    services.request_information(request.user, appeal, body.text)
    return Status(201, thread_out(appeal))


@router.post("/{number}/extension", response={200: AppealOut, **refusals(401, 403, 404, 409)},
             summary="Extend the term (at most 45 days in total), with the reason")
def extend(request: HttpRequest, number: Number, body: ExtendIn) -> AppealOut:
    appeal = services.access_appeal(request.user, number, HANDLE)
    return appeal_out(services.extend(request.user, appeal, body.total_days, body.reason))


@router.post("/{number}/answer", response={200: AppealThreadOut, **refusals(401, 403, 404, 409)},
             summary="The final answer, in the thread")
def answer(request: HttpRequest, number: Number, body: TextIn) -> AppealThreadOut:
    appeal = services.access_appeal(request.user, number, HANDLE)
    return thread_out(services.answer(request.user, appeal, body.text))


@router.get("/stats", response={200: list[StatsOut], **refusals(401, 403)},
            summary="Each reception's record: received, answered, on time, overdue")
def stats(request: HttpRequest) -> list[StatsOut]:
    require(request.user, "appeals.stats.view")
    return [StatsOut(reception=s.reception.code, title=s.reception.title_uk,
                     received=s.received, answered=s.answered, on_time=s.on_time,
                     overdue_open=s.overdue_open, average_days=s.average_days)
            for s in services.reception_stats()]
