"""The signed-in resident: write, read one's threads, reply."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile
from ninja.security import django_auth
from pydantic import Field

from misto.appeals import services
from misto.appeals.api.convert import appeal_out, thread_out
from misto.appeals.api.schemas import AppealIn, AppealOut, AppealThreadOut, Number, TextIn
from misto.core.schemas import refusals

router = Router(tags=["appeals: resident"], auth=django_auth)


@router.get("/mine", response={200: list[AppealOut], **refusals(401)}, summary="My appeals")
def mine(request: HttpRequest) -> list[AppealOut]:
    return [appeal_out(a) for a in services.own_appeals(request.user)
            .select_related("reception")]


@router.post("", response={201: AppealThreadOut, **refusals(401)},
             summary="Write to a reception (registered at once, with its number and deadline)")
def write(request: HttpRequest, body: AppealIn) -> Status[AppealThreadOut]:
    checked = services.check_appeal(body.reception, body.kind, body.subject, body.text)
    return Status(201, thread_out(services.register(checked, author=request.user)))


@router.get("/{number}", response={200: AppealThreadOut, **refusals(401, 404)},
            summary="The appeal and its whole correspondence")
def thread(request: HttpRequest, number: Number) -> AppealThreadOut:
    return thread_out(services.access_appeal(request.user, number))


@router.post("/{number}/replies", response={201: AppealThreadOut, **refusals(401, 404, 409)},
             summary="Write in one's appeal's thread")
def reply(request: HttpRequest, number: Number, body: TextIn) -> Status[AppealThreadOut]:
    appeal = services.access_appeal(request.user, number)
    services.reply(request.user, appeal, body.text)
    return Status(201, thread_out(appeal))


@router.post("/{number}/attachments", response={201: AppealThreadOut,
                                                **refusals(401, 404, 409)},
             summary="Write in one's appeal's thread with a file (a PDF or a photo)")
def attach(request: HttpRequest, number: Number,
           text: Form[Annotated[str, Field(max_length=40_000)]],
           attachment: File[UploadedFile]) -> Status[AppealThreadOut]:
    appeal = services.access_appeal(request.user, number)
    services.reply(request.user, appeal, text, attachment)
    return Status(201, thread_out(appeal))
