"""Following a report: residents with an account, and anonymous reporters who confirm an
e-mail address or phone with a one-time code (residents' codes) and so get that address's
account as the follower. Updates then reach them through the follower notices.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from misto.reports.errors import ReportError, ReportsCode
from misto.reports.models import (
    Follower,
    Report,
)
from misto.residents import codes


def follow(report: Report, user: Any, on: bool = True) -> None:
    if not user.is_authenticated:
        raise ReportError(ReportsCode.FORBIDDEN, _("Sign in to follow a report."), status=403)
    if on:
        Follower.objects.get_or_create(report=report, user=user)
    else:
        Follower.objects.filter(report=report, user=user).delete()


# --- Following without an account ---------------------------------------------------------
# An anonymous reporter leaves an e-mail address or a phone; a code sent there confirms it
# (residents' one-time codes), and the report gets a follower: the account of that address,
# the same one a later code sign-in with it finds, so the report is theirs in the cabinet.
# Updates reach it through the follower notices (notifications), at that address only.


@dataclass(frozen=True)
class UpdatesContact:
    channel: str  # "email" or "sms"
    address: str  # normalised


def check_updates_contact(text: str) -> UpdatesContact | None:
    """The e-mail address or phone given for updates (None when left empty), or ReportError."""
    text = (text or "").strip()
    if not text:
        return None
    channel = "email" if "@" in text else "sms"
    try:
        return UpdatesContact(channel, codes.check_address(channel, text))
    except codes.CodeError as error:
        raise ReportError(ReportsCode.BAD_CONTACT, error.message, field="updates_contact") from None


def ask_to_follow(contact: UpdatesContact, client: str) -> str:
    """Send the code confirming ``contact``; its token (the confirmation form's handle)."""
    try:
        row = codes.request_code(contact.channel, contact.address, client, for_updates=True)
    except codes.CodeError as error:
        raise ReportError(ReportsCode.BAD_CONTACT, error.message, status=error.status,
                          field="updates_contact") from None
    return str(row.token)


def confirm_follow(report: Report, token: str, code: str) -> None:
    """The code's contact follows ``report``; ReportError for a wrong, used or expired code."""
    try:
        account = codes.confirm_contact(token, code)
    except codes.CodeError as error:
        raise ReportError(ReportsCode.BAD_CODE, error.message, status=error.status,
                          field="code") from None
    if account is None:
        raise ReportError(ReportsCode.BAD_CODE, _(
            "The code does not match. Check it and try again."), field="code")
    follow(report, account)
