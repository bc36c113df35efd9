"""The IoT HTTP API at /api/iot/."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["iot"])
