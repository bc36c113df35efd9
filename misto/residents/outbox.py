"""Sending a sign-in code, and the local outbox that stands in for mail and SMS outside production.

Why residents sends by itself instead of through an event or the notifications module:
residents is always on and must not import an optional module (docs/architecture.md), and a
code must not travel in a domain event (the outbox table would keep it in clear for good).
So :func:`send` calls the standard interfaces directly: Django's e-mail backend
(``EMAIL_BACKEND``) and an SMS gateway with the notifications gateway interface
(``cls(channel).send(address, text) -> reference``, raising on failure), found by the same
dotted-path setting a city already uses for notifications, ``MISTO_NOTIFY_GATEWAY_SMS``.

Outside production, with no ``EMAIL_URL`` and no SMS gateway configured, both go to
:class:`~misto.residents.models.LocalMessage` rows, shown at ``/cabinet/dev-outbox/``, so
the whole sign-in flow works on a fresh checkout without a mail server.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, send_mail
from django.core.mail.backends.base import BaseEmailBackend
from django.utils.module_loading import import_string

from misto.core.config import env_str
from misto.residents.errors import ResidentsCode, ResidentsError
from misto.residents.models import LocalMessage

LOCAL_GATEWAY = "misto.residents.outbox.LocalOutboxGateway"


class SendError(ResidentsError):
    """The message could not be handed to the mail server or the SMS gateway (503: the
    resident tries again later); the message names the kind of failure, never the address."""

    status = 503

    def __init__(self, message: str) -> None:
        super().__init__(ResidentsCode.SEND_FAILED, message)


class LocalOutboxEmailBackend(BaseEmailBackend):
    """A Django e-mail backend that keeps each message for the local outbox page."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for message in email_messages:
            for address in message.recipients():
                LocalMessage.objects.create(channel="email", address=address[:254],
                                            subject=str(message.subject)[:200],
                                            body=str(message.body))
        return len(email_messages)


class LocalOutboxGateway:
    """The SMS/messenger gateway interface, keeping each message for the local outbox page."""

    def __init__(self, channel: str) -> None:
        self.channel = channel

    def send(self, address: str, text: str) -> str:
        LocalMessage.objects.create(channel=self.channel, address=address[:254], body=text)
        return f"local-{uuid.uuid4().hex[:12]}"


def enabled() -> bool:
    """The local outbox page exists only outside production."""
    return not settings.PRODUCTION


def sms_gateway_path() -> str:
    """The configured SMS gateway; outside production the local outbox by default."""
    path = env_str("MISTO_NOTIFY_GATEWAY_SMS")
    return path or ("" if settings.PRODUCTION else LOCAL_GATEWAY)


def channels() -> list[str]:
    """The channels codes can be sent by here: e-mail always, SMS when a gateway is set."""
    return ["email", "sms"] if sms_gateway_path() else ["email"]


def send(channel: str, address: str, subject: str, text: str) -> None:
    """Hand one message to the e-mail backend or the SMS gateway; :class:`SendError` if not."""
    try:
        if channel == "email":
            send_mail(subject, text, None, [address], fail_silently=False)
            return
        gateway: Any = import_string(sms_gateway_path())(channel)
        gateway.send(address, text)
    except Exception as error:  # SMTP, network or provider errors: the resident retries
        raise SendError(type(error).__name__) from error
