"""Open to anyone: the directory of receptions."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from misto.appeals.api.convert import reception_out
from misto.appeals.api.schemas import ReceptionOut
from misto.appeals.models import Reception
from misto.core.schemas import refusals

router = Router(tags=["appeals"])


@router.get("/receptions", response={200: list[ReceptionOut], **refusals()},
            summary="The receptions a resident may write to")
def receptions(request: HttpRequest) -> list[ReceptionOut]:
    return [reception_out(r) for r in Reception.objects.filter(active=True)]
