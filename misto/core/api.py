"""Staff API of the core: event delivery status and dead-letter replay."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security import django_auth

from misto.core import bus, services
from misto.core.permissions import require
from misto.core.schemas import DbId, Limit, refusals

router = Router(tags=["core"], auth=django_auth)


class DeadLetterOut(Schema):
    id: int
    event_id: int
    event: str
    handler: str
    attempts: int
    last_error: str
    occurred_at: datetime


class ReplayIn(Schema):
    ids: list[DbId]


class ReplayOut(Schema):
    replayed: int


@router.get("/dead-letters", response={200: list[DeadLetterOut], **refusals(401, 403)})
def list_dead_letters(
    request: HttpRequest, handler: str | None = None, limit: Limit = 100
) -> list[DeadLetterOut]:
    require(request.user, "core.event.view")
    return [
        DeadLetterOut(
            id=row.pk, event_id=row.event_id, event=row.event.name, handler=row.handler,
            attempts=row.attempts, last_error=row.last_error,
            occurred_at=row.event.occurred_at,
        )
        for row in services.dead_letters(handler)[:limit]
    ]


@router.post("/dead-letters/replay", response={200: ReplayOut, **refusals(401, 403)})
def replay_dead_letters(request: HttpRequest, body: ReplayIn) -> ReplayOut:
    require(request.user, "core.event.replay")
    with transaction.atomic():
        return ReplayOut(replayed=bus.replay(body.ids))
