from __future__ import annotations

import base64
from datetime import UTC, datetime

from django import template

register = template.Library()


@register.filter
def b64(value: bytes | memoryview | None) -> str:
    """A hash (bytes) as standard base64, the way the API and the receipts show it."""
    if value is None:
        return ""
    return base64.b64encode(bytes(value)).decode()


@register.filter
def from_ms(value: int) -> datetime:
    """A head timestamp (milliseconds since the epoch) as an aware datetime."""
    return datetime.fromtimestamp(int(value) / 1000, tz=UTC)
