"""Passkeys (WebAuthn, the ``webauthn`` package): a returning resident signs in with the phone's
fingerprint or face instead of waiting for a code.

A signed-in resident registers a passkey in the cabinet; it remembers the level of that
session (:mod:`misto.residents.levels`), so a passkey made after a BankID sign-in signs in
as *verified* and one made after an e-mail code as *basic*. Credentials are discoverable
(resident keys): the sign-in page asks for "any passkey of this site", no user name typed.

The relying party is ``MISTO_WEBAUTHN_RP_ID`` and the accepted origins
``MISTO_WEBAUTHN_ORIGINS`` (docs/configuration.md): an assertion made on another origin,
or for another RP ID, is refused by the library's own checks; so is a replayed one (the
challenge lives once in the session) or one whose signature counter went backwards.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from misto.residents.errors import ResidentsCode, ResidentsError
from misto.residents.models import Passkey

# webauthn (with pyOpenSSL and pyasn1 under it) is imported by the four functions below
# when a passkey is made or used, not above: the views import this file, and loading the
# URL tree with it cost every process ~0.06 s.

MAX_PASSKEYS = 10


class PasskeyError(ResidentsError):
    """A refused passkey registration or sign-in, with the reason to show."""


def rp_id() -> str:
    return str(settings.MISTO_WEBAUTHN_RP_ID)


def origins() -> list[str]:
    return list(settings.MISTO_WEBAUTHN_ORIGINS)


def _user_handle(user: Any) -> bytes:
    """An opaque, stable handle for the authenticator: no user name or id in clear."""
    return salted_hmac("misto.residents.passkeys.user", str(user.pk),
                       algorithm="sha256").digest()


def registration_options(user: Any) -> tuple[str, str]:
    """The ``navigator.credentials.create`` options as JSON, and the challenge to keep."""
    from webauthn import generate_registration_options, options_to_json
    from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
    from webauthn.helpers.structs import (
        AuthenticatorSelectionCriteria,
        PublicKeyCredentialDescriptor,
        ResidentKeyRequirement,
        UserVerificationRequirement,
    )

    options = generate_registration_options(
        rp_id=rp_id(), rp_name=settings.MISTO_CITY_NAME or "Misto",
        user_name=user.get_username(), user_id=_user_handle(user),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.PREFERRED),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=base64url_to_bytes(key.credential_id))
            for key in Passkey.objects.filter(user=user)],
    )
    return options_to_json(options), bytes_to_base64url(options.challenge)


def register(user: Any, credential: str, challenge: str, *, level: str, name: str = "") -> Passkey:
    """Keep the passkey the browser created for ``user``'s ``challenge`` (or PasskeyError)."""
    from webauthn import verify_registration_response
    from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
    from webauthn.helpers.exceptions import InvalidRegistrationResponse

    if not challenge:
        raise PasskeyError(ResidentsCode.PASSKEY_EXPIRED,
                           _("The passkey request has expired. Try again."))
    if Passkey.objects.filter(user=user).count() >= MAX_PASSKEYS:
        raise PasskeyError(ResidentsCode.PASSKEY_LIMIT,
                           _("You already have the most passkeys allowed. Remove one first."))
    try:
        verified = verify_registration_response(
            credential=credential, expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp_id(), expected_origin=origins())
    except (InvalidRegistrationResponse, ValueError, KeyError, TypeError):
        raise PasskeyError(ResidentsCode.PASSKEY_INVALID,
                           _("The passkey could not be checked. Try again.")) from None
    credential_id = bytes_to_base64url(verified.credential_id)
    if Passkey.objects.filter(credential_id=credential_id).exists():
        raise PasskeyError(ResidentsCode.PASSKEY_DUPLICATE,
                           _("This passkey is already registered."))
    return Passkey.objects.create(
        user=user, credential_id=credential_id, public_key=verified.credential_public_key,
        sign_count=verified.sign_count, level=level, name=name.strip()[:80])


def authentication_options() -> tuple[str, str]:
    """The ``navigator.credentials.get`` options (any passkey of this site) and challenge."""
    from webauthn import generate_authentication_options, options_to_json
    from webauthn.helpers import bytes_to_base64url
    from webauthn.helpers.structs import UserVerificationRequirement

    options = generate_authentication_options(
        rp_id=rp_id(), user_verification=UserVerificationRequirement.PREFERRED)
    return options_to_json(options), bytes_to_base64url(options.challenge)


def authenticate(credential: str, challenge: str) -> Passkey:
    """The passkey that signed ``challenge`` on one of our origins (or PasskeyError)."""
    from webauthn import verify_authentication_response
    from webauthn.helpers import base64url_to_bytes
    from webauthn.helpers.exceptions import InvalidAuthenticationResponse

    refused = PasskeyError(ResidentsCode.PASSKEY_REFUSED,
                           _("This passkey was not accepted. Sign in another way."))
    if not challenge:
        raise PasskeyError(ResidentsCode.PASSKEY_EXPIRED,
                           _("The passkey request has expired. Try again."))
    try:
        credential_id = str(json.loads(credential)["id"])
    except (ValueError, KeyError, TypeError):
        raise refused from None
    with transaction.atomic():
        key = Passkey.objects.select_for_update().filter(credential_id=credential_id).first()
        if key is None:
            raise refused
        try:
            verified = verify_authentication_response(
                credential=credential, expected_challenge=base64url_to_bytes(challenge),
                expected_rp_id=rp_id(), expected_origin=origins(),
                credential_public_key=bytes(key.public_key),
                credential_current_sign_count=key.sign_count)
        except (InvalidAuthenticationResponse, ValueError, KeyError, TypeError):
            raise refused from None
        key.sign_count = verified.new_sign_count
        key.last_used_at = timezone.now()
        key.save(update_fields=["sign_count", "last_used_at"])
    return key


def remove(user: Any, passkey_id: int) -> bool:
    deleted, _rows = Passkey.objects.filter(user=user, pk=passkey_id).delete()
    return deleted > 0


def of(user: Any) -> QuerySet[Passkey]:
    return Passkey.objects.filter(user=user).order_by("-created_at")
