"""Sign-in: staff with a password plus a TOTP code, residents through OpenID Connect.

:class:`PasswordTotpBackend` replaces Django's ModelBackend (``AUTHENTICATION_BACKENDS``):
a user who has a confirmed TOTP secret is let in by password only together with a valid,
not yet used code; in production (``MISTO_PRODUCTION``) staff without TOTP are refused
altogether. Residents never have a password: they sign in through an identity provider
(:mod:`misto.residents.identity`), which logs them in with this same backend.
"""

from __future__ import annotations

import time
from typing import Any

import pyotp
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.db import transaction
from django.http import HttpRequest

from misto.core.permissions import scopes
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
    def authenticate(self, request: HttpRequest | None, username: str | None = None,
                     password: str | None = None, totp: str | None = None,
                     **kwargs: Any) -> Any:
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            return None
        if has_totp(user):
            return user if check_totp(user, totp) else None
        if settings.PRODUCTION and is_staff_member(user):
            return None  # staff must enrol a TOTP secret first (misto residents totp)
        return user


# --- Throttling of password sign-in ---------------------------------------------------

MAX_FAILURES = 5
FAILURE_WINDOW = 15 * 60  # seconds


def _failure_key(username: str) -> str:
    return f"misto:signin-failures:{username.strip().casefold()[:150]}"


def locked_out(username: str) -> bool:
    """Too many failed sign-ins for this user name recently (a TOTP code has 10⁶ values)."""
    from django.core.cache import cache

    return int(cache.get(_failure_key(username), 0)) >= MAX_FAILURES


def record_failure(username: str) -> None:
    from django.core.cache import cache

    key = _failure_key(username)
    if not cache.add(key, 1, FAILURE_WINDOW):
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, FAILURE_WINDOW)


def clear_failures(username: str) -> None:
    from django.core.cache import cache

    cache.delete(_failure_key(username))
