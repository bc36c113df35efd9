"""Sign-in by a one-time code sent by e-mail or SMS: the *basic* level (docs/residents.md).

- A code is 6 random digits, valid for :data:`VALIDITY`, accepted once, and only an HMAC of
  it is stored (keyed by ``SECRET_KEY`` and bound to the code's own token); the check uses
  ``hmac.compare_digest``. :data:`MAX_TRIES` wrong codes spend it.
- Requests are limited per contact address (:data:`PER_ADDRESS`: the 6th in 10 minutes is
  refused) and per client address (:data:`PER_CLIENT`), so nobody can flood a phone or
  an inbox, or pay for a city's SMS budget.
- The account of a contact is found by a blind index of the normalised address
  (:class:`~misto.residents.models.ExternalIdentity` with provider ``email`` or ``sms``); a
  new one carries no name, e-mail or phone, like every resident account.

``check_*`` functions validate and raise :class:`CodeError`; ``request_code`` and
``sign_in_with_code`` change the database only after every check passed.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from misto.residents import outbox, throttle
from misto.residents.crypto import blind_index
from misto.residents.errors import ResidentsCode, ResidentsError
from misto.residents.identity import new_resident_user
from misto.residents.models import ExternalIdentity, SignInCode

VALIDITY = timedelta(minutes=10)
MAX_TRIES = 5
PER_ADDRESS = throttle.Rule("code-address", limit=5, window=timedelta(minutes=10))
PER_CLIENT = throttle.Rule("code-client", limit=20, window=timedelta(minutes=10))
PHONE_PUNCTUATION = re.compile(r"[\s().-]")


class CodeError(ResidentsError):
    """A refused code request or code, with the reason to show, the HTTP status and, when
    too many were asked for, the seconds to wait (``Retry-After``)."""

    def __init__(self, code: ResidentsCode, message: str, *, status: int | None = None,
                 retry_after: int = 0) -> None:
        super().__init__(code, message, status=status)
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)} if self.retry_after else {}


def check_address(channel: str, address: str) -> str:
    """The normalised e-mail address or phone number (+380...), or :class:`CodeError`."""
    if channel not in outbox.channels():
        raise CodeError(ResidentsCode.BAD_CHANNEL, _("Codes cannot be sent this way here."))
    address = address.strip()
    if channel == SignInCode.Channel.EMAIL:
        try:
            validate_email(address)
        except ValidationError:
            raise CodeError(ResidentsCode.BAD_ADDRESS, _("Enter a valid e-mail address.")) from None
        return address.lower()
    phone = PHONE_PUNCTUATION.sub("", address)
    if re.fullmatch(r"0\d{9}", phone):
        phone = "+38" + phone  # a Ukrainian number written the local way
    if not re.fullmatch(r"\+[1-9]\d{9,14}", phone):
        raise CodeError(ResidentsCode.BAD_ADDRESS, _(
            "Enter the phone number with its country code, e.g. +380671234567."))
    return phone


def _address_index(channel: str, address: str) -> str:
    return blind_index(f"contact:{channel}", address)


def _code_hash(token: str, code: str) -> str:
    key = hashlib.sha256(f"misto.residents.codes:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, f"{token}:{code}".encode(), hashlib.sha256).hexdigest()


def _message(code: str, for_updates: bool) -> tuple[str, str]:
    minutes = int(VALIDITY.total_seconds() // 60)
    values = {"code": code, "minutes": minutes}
    if for_updates:
        return (_("Your confirmation code: %(code)s") % values,
                _("Your Misto confirmation code is %(code)s. Enter it to receive the updates "
                  "on your report here. It is valid for %(minutes)s minutes. If you did not "
                  "ask for it, ignore this message.") % values)
    return (_("Your sign-in code: %(code)s") % values,
            _("Your Misto sign-in code is %(code)s. It is valid for %(minutes)s minutes. "
              "If you did not ask for it, ignore this message.") % values)


def request_code(channel: str, address: str, client: str, *,
                 for_updates: bool = False) -> SignInCode:
    """Send a new code to ``address``; the :class:`SignInCode` row holds only its HMAC.

    ``for_updates``: the code confirms the address to receive updates there
    (:func:`confirm_contact`), so the row keeps the address, encrypted, until it is spent.
    """
    address = check_address(channel, address)
    for rule, parts in ((PER_CLIENT, (client,)), (PER_ADDRESS, (channel, address))):
        wait = throttle.take(rule, *parts)
        if wait:
            minutes = max(1, -(-wait // 60))
            raise CodeError(ResidentsCode.RATE_LIMITED, ngettext(
                "Too many codes were asked for. Try again in %(minutes)s minute.",
                "Too many codes were asked for. Try again in %(minutes)s minutes.",
                minutes) % {"minutes": minutes}, status=429, retry_after=wait)
    code = f"{secrets.randbelow(10**6):06d}"
    now = timezone.now()
    row = SignInCode(channel=channel, address_index=_address_index(channel, address),
                     created_at=now, expires_at=now + VALIDITY)
    row.code_hash = _code_hash(str(row.token), code)
    row.contact = address if for_updates else ""
    if for_updates:
        # No code of this kind needs its address once expired: forget those left unconfirmed.
        SignInCode.objects.filter(expires_at__lte=now).exclude(contact="").update(contact="")
    subject, text = _message(code, for_updates)
    try:
        outbox.send(channel, address, subject, text)
    except outbox.SendError:
        raise CodeError(ResidentsCode.SEND_FAILED,
                        _("The code could not be sent. Try again a little later."),
                        status=503) from None
    row.save()
    return row


def pending(token: Any) -> SignInCode | None:
    """The not yet used, not expired code of the entry form ``token`` (None otherwise)."""
    return SignInCode.objects.filter(token=token, used_at__isnull=True,
                                     expires_at__gt=timezone.now(),
                                     failed_tries__lt=MAX_TRIES).first()


def _spend(token: Any, code: str) -> SignInCode | None:
    """The locked code row once ``code`` matched it (now spent); None for a wrong code.

    Call inside a transaction. A wrong try is counted (:data:`MAX_TRIES` spend the code);
    :class:`CodeError` for an unknown, used or expired code.
    """
    code = code.replace(" ", "").strip()
    row = SignInCode.objects.select_for_update().filter(token=token).first()
    if row is None:
        raise CodeError(ResidentsCode.UNKNOWN_CODE,
                        _("This sign-in code does not exist. Ask for a new one."), status=404)
    if row.used_at is not None:
        raise CodeError(ResidentsCode.USED_CODE,
                        _("This code was already used. Ask for a new one."))
    if row.expires_at <= timezone.now() or row.failed_tries >= MAX_TRIES:
        raise CodeError(ResidentsCode.EXPIRED_CODE,
                        _("This code has expired. Ask for a new one."))
    if not hmac.compare_digest(_code_hash(str(row.token), code), row.code_hash):
        row.failed_tries += 1
        if row.failed_tries >= MAX_TRIES:
            row.contact = ""  # spent: the address has no more use
        row.save(update_fields=["failed_tries", "contact"])
        return None
    row.used_at = timezone.now()
    return row


def _account(row: SignInCode, contact: str = "") -> Any:
    """The account of the code's contact (made on first use), keeping ``contact`` when given."""
    identity = (ExternalIdentity.objects.select_for_update()
                .filter(provider=row.channel, subject_index=row.address_index)
                .select_related("user").first())
    if identity is None:
        identity = ExternalIdentity.objects.create(
            user=new_resident_user(), provider=row.channel,
            subject_index=row.address_index, contact=contact)
    elif contact:
        identity.contact = contact
        identity.save(update_fields=["contact"])
    return identity.user


def sign_in_with_code(token: Any, code: str) -> Any:
    """The account of the contact the code was sent to, spending the code.

    None for a wrong code (the try is counted, and :data:`MAX_TRIES` spend the code);
    :class:`CodeError` for an unknown, used or expired one.
    """
    with transaction.atomic():
        row = _spend(token, code)
        if row is None:
            return None
        row.save(update_fields=["used_at"])
        user = _account(row)
        ExternalIdentity.objects.filter(provider=row.channel, subject_index=row.address_index
                                        ).update(last_login_at=timezone.now())
        return user


def confirm_contact(token: Any, code: str) -> Any:
    """The account of a contact confirmed to receive updates, spending the code.

    The same account a later code sign-in with that address finds, so whatever it follows
    now is the resident's when they sign in. Its identity keeps the address (encrypted)
    for :func:`contact_address`. None for a wrong code, :class:`CodeError` as for
    :func:`sign_in_with_code`, and for a sign-in code (it was not asked for updates).
    """
    with transaction.atomic():
        row = _spend(token, code)
        if row is None:
            return None
        if not row.contact:
            raise CodeError(ResidentsCode.NOT_FOR_UPDATES,
                            _("This code was not sent to confirm an address for updates."))
        contact, row.contact = row.contact, ""
        row.save(update_fields=["used_at", "contact"])
        return _account(row, contact)


def contact_address(user: Any, channel: str) -> str | None:
    """The address ``user`` confirmed to receive updates by ``channel`` (e-mail or SMS).

    Only for sending them those updates (the notifications module's delivery): it is not a
    contact look-up for staff (that is ``contact_for``, with its access log).
    """
    contact = (ExternalIdentity.objects.filter(user=user, provider=channel)
               .exclude(contact="").values_list("contact", flat=True).first())
    return str(contact) if contact else None
