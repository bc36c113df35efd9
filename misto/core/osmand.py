"""Traccar's OsmAnd HTTP protocol, read one way for every module that takes trackers' fixes
(transit's buses, the municipal fleet): ``id``/``deviceid``, ``lat``, ``lon``, ``timestamp``
(Unix seconds or milliseconds, or ISO 8601), ``speed`` (knots), ``bearing``/``heading``, and
the tracker's key as ``key`` or ``Authorization: Bearer``. https://traccar.org/osmand
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

KNOT_M_S = 0.514444


def params(request: HttpRequest) -> Mapping[str, Any]:
    """The fix's fields: the form body of a POST, else the query string."""
    return request.POST if request.method == "POST" and request.POST else request.GET


def device_id(values: Mapping[str, Any]) -> str:
    return str(values.get("id") or values.get("deviceid") or "")


def key(request: HttpRequest, values: Mapping[str, Any]) -> str:
    """The tracker's key: ``key=`` or ``Authorization: Bearer <key>``."""
    header = request.headers.get("Authorization", "")
    return str(values.get("key") or (header[7:].strip()
                                     if header.lower().startswith("bearer ") else ""))


def number(values: Mapping[str, Any], *names: str) -> float | None:
    """The first of ``names`` present, as a finite float (ValueError names the field)."""
    for name in names:
        value = values.get(name)
        if value not in (None, ""):
            found = float(value)
            if not math.isfinite(found):
                raise ValueError(name)
            return found
    return None


def when(value: str | None) -> datetime:
    """``timestamp``: Unix seconds or milliseconds, or ISO 8601 (UTC when naive); now when
    the tracker sent none."""
    if not value:
        return timezone.now()
    if value.replace(".", "", 1).isdigit():
        seconds = float(value)
        return datetime.fromtimestamp(seconds / 1000 if seconds > 1e11 else seconds, tz=UTC)
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def speed_m_s(values: Mapping[str, Any]) -> float | None:
    """``speed`` in knots, as the protocol has it, in m/s."""
    knots = number(values, "speed")
    return round(knots * KNOT_M_S, 2) if knots is not None else None
