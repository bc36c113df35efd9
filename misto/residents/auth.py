"""Sign-in: staff with a password plus a TOTP code; residents without a password.

:class:`PasswordTotpBackend` replaces Django's ModelBackend (``AUTHENTICATION_BACKENDS``):
a user who has a confirmed TOTP secret is let in by password only together with a valid,
not yet used code; in production (``MISTO_PRODUCTION``) staff without TOTP are refused
altogether; every attempt goes through the throttle (:mod:`misto.residents.throttle`).
Residents never have a password: they sign in through an identity provider
(:mod:`misto.residents.identity`), a one-time code (:mod:`misto.residents.codes`) or a
passkey (:mod:`misto.residents.passkeys`), each logged in with this same backend at its
level (:mod:`misto.residents.levels`).
"""

from __future__ import annotations

import time
from typing import Any

import pyotp
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest

from misto.core.permissions import scopes
from misto.residents import throttle
from misto.residents.models import StaffTotp

BACKEND = "misto.residents.auth.PasswordTotpBackend"
ISSUER = "Misto"


def is_staff_member(user: Any) -> bool:
    return bool(user.is_staff or user.is_superuser or scopes(user))


def check_totp(user: Any, code: str | None) -> bool:
    """True for a current code of the user's confirmed secret, each code once."""
    code = (code or "").replace(" ", "")
    if not code.isdigit() or len(code) != 6:
        return False
    with transaction.atomic():
        device = StaffTotp.objects.select_for_update().filter(user=user).first()
        if device is None:
            return False
        totp = pyotp.TOTP(device.secret)
        now = time.time()
        for drift in (0, -30, 30):
            counter = int((now + drift) // 30)
            if counter > device.last_counter and totp.at(counter * 30) == code:
                device.last_counter = counter
                device.confirmed = True
                device.save(update_fields=["last_counter", "confirmed"])
                return True
    return False


def enrol_totp(user: Any) -> str:
    """A new secret for ``user`` (unconfirmed until the first good code); its otpauth URI."""
    secret = pyotp.random_base32()
    StaffTotp.objects.update_or_create(user=user, defaults={"secret": secret,
                                                            "confirmed": False,
                                                            "last_counter": 0})
    return pyotp.TOTP(secret).provisioning_uri(name=user.get_username(), issuer_name=ISSUER)


def has_totp(user: Any) -> bool:
    return StaffTotp.objects.filter(user=user).exists()


def has_confirmed_totp(user: Any) -> bool:
    return StaffTotp.objects.filter(user=user, confirmed=True).exists()


class PasswordTotpBackend(ModelBackend):
    """The only authentication backend, so every ``authenticate()`` caller is throttled.

    Each attempt takes a ticket of :data:`throttle.SIGNIN` for (user name, client address)
    before the password is checked; a locked-out pair, or an address locked by
    :data:`throttle.SIGNIN_CLIENT` (many names tried), is refused with ``PermissionDenied``
    (Django then stops and reports a failed sign-in). A success clears the pair; a failure
    also counts against the address.
    """

    def authenticate(self, request: HttpRequest | None, username: str | None = None,
                     password: str | None = None, totp: str | None = None,
                     **kwargs: Any) -> Any:
        if username is None or password is None:
            return None  # not a password sign-in (Django asks every backend)
        address = throttle.client_address(request)
        if (throttle.wait_seconds(throttle.SIGNIN_CLIENT, address)
                or throttle.take(throttle.SIGNIN, username, address)):
            raise PermissionDenied("too many failed sign-ins")
        user = self._verify(request, username, password, totp, **kwargs)
        if user is not None:
            throttle.reset(throttle.SIGNIN, username, address)
        else:
            throttle.take(throttle.SIGNIN_CLIENT, address)
        return user

    def _verify(self, request: HttpRequest | None, username: str, password: str,
                totp: str | None, **kwargs: Any) -> Any:
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            return None
        if has_totp(user):
            return user if check_totp(user, totp) else None
        if settings.PRODUCTION and is_staff_member(user):
            return None  # staff must enrol a TOTP secret first (misto residents totp)
        return user
