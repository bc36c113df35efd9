"""The IoT API for staff: the refused device messages (``iot.deadletter.view``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from misto.core.permissions import can
from misto.core.schemas import refusals
from misto.iot.api.schemas import DeadLettersOut
from misto.iot.errors import IotCode, IotError
from misto.iot.models import DeadLetter
from misto.iot.permissions import DEADLETTER_VIEW

router = Router()


@router.get("/dead-letters", response={200: DeadLettersOut, **refusals(400, 403)})
def dead_letters(request: HttpRequest) -> dict[str, Any]:
    """The newest 200 refused messages, with the reason each was refused."""
    if not can(request.user, DEADLETTER_VIEW):
        raise IotError(IotCode.FORBIDDEN, _("Staff only."), status=403)
    return {"dead_letters": [
        {"id": d.pk, "received_at": d.received_at.isoformat(), "channel": d.channel,
         "source": d.source, "device": d.device_uid, "reason": d.reason, "detail": d.detail}
        for d in DeadLetter.objects.all()[:200]]}
