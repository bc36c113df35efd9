"""Gateways for SMS and messengers (Telegram, Viber): one small interface, many backends.

A backend is a class with ``send(address, text) -> str`` returning the provider's message id
and raising :class:`GatewayError` on failure (the delivery is then retried). The shipped
:class:`LogGateway` writes the message to the log (and keeps it in memory for inspection):
cities plug in their provider by a dotted path in ``MISTO_NOTIFY_GATEWAY_<CHANNEL>``.
"""

from __future__ import annotations

import logging
import uuid
from functools import cache
from typing import Protocol

from django.utils.module_loading import import_string

from misto.notifications import conf
from misto.notifications.errors import GatewayError

logger = logging.getLogger("misto.notifications.gateway")

__all__ = ["Gateway", "GatewayError", "LogGateway", "gateway_for"]


class Gateway(Protocol):
    channel: str

    def send(self, address: str, text: str) -> str: ...


class LogGateway:
    """Writes each message to the log; for development, tests and cities without a provider."""

    sent: list[tuple[str, str, str]] = []

    def __init__(self, channel: str) -> None:
        self.channel = channel

    def send(self, address: str, text: str) -> str:
        ref = f"log-{uuid.uuid4().hex[:12]}"
        # The address is personal: the log shows only its last two characters.
        logger.info("%s to …%s [%s]: %s", self.channel, address[-2:], ref, text)
        LogGateway.sent.append((self.channel, address, text))
        del LogGateway.sent[:-1000]
        return ref


@cache
def _gateway(channel: str, path: str) -> Gateway:
    backend: Gateway = import_string(path)(channel)
    return backend


def gateway_for(channel: str) -> Gateway:
    return _gateway(channel, conf.gateway_path(channel))
