"""The MQTT consumer."""

from __future__ import annotations

import threading


def run_consumer(stop: threading.Event) -> None:
    return
