"""The platform's Ed25519 keys for what validators check offline (ride tokens, the deny-list).

``MISTO_WALLET_TOKEN_KEYS`` holds base64 seeds, the first signing, all published
(``GET /api/wallet/keys``), so keys rotate without breaking tokens already on phones.
"""

from __future__ import annotations

import base64
import binascii
import hashlib

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from misto.core.config import env_str
from misto.wallet import offline


def signing_keys() -> list[Ed25519PrivateKey]:
    configured = [part.strip() for part in env_str("MISTO_WALLET_TOKEN_KEYS", "").split(",")
                  if part.strip()]
    if not configured:  # outside production: derived from SECRET_KEY, stable across restarts
        seed = hashlib.sha256(b"misto.wallet.tokens:" + settings.SECRET_KEY.encode()).digest()
        return [Ed25519PrivateKey.from_private_bytes(seed)]
    keys = []
    for part in configured:
        try:
            keys.append(Ed25519PrivateKey.from_private_bytes(base64.b64decode(part,
                                                                              validate=True)))
        except (binascii.Error, ValueError) as error:
            raise ImproperlyConfigured("MISTO_WALLET_TOKEN_KEYS: each key is a base64 "
                                       "32-byte Ed25519 seed") from error
    return keys


def public_keys() -> dict[str, bytes]:
    return {offline.key_id(offline.public_bytes(key)): offline.public_bytes(key)
            for key in signing_keys()}
