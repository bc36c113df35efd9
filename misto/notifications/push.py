"""Web Push with VAPID (RFC 8292) through pywebpush.

The VAPID key pair comes from ``MISTO_VAPID_PRIVATE_KEY`` (a PEM file path or the PEM text);
outside production a pair is generated once into ``var/vapid_private.pem``.
"""

from __future__ import annotations

import base64
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from misto.core.config import env_str


class PushGone(Exception):
    """The browser's subscription has expired (404/410): delete it."""


def _key_pem() -> bytes:
    configured = env_str("MISTO_VAPID_PRIVATE_KEY", "")
    if configured:
        if configured.lstrip().startswith("-----BEGIN"):
            return configured.encode()
        return Path(configured).read_bytes()
    if getattr(settings, "PRODUCTION", False):
        raise ImproperlyConfigured("MISTO_VAPID_PRIVATE_KEY must be set for Web Push in "
                                   "production.")
    path = Path(settings.VAR_DIR) / "vapid_private.pem"
    if not path.exists():
        key = ec.generate_private_key(ec.SECP256R1())
        pem = key.private_bytes(serialization.Encoding.PEM,
                                serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_bytes()
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
    return path.read_bytes()


@cache
def _private_key() -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(_key_pem(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ImproperlyConfigured("The VAPID key must be an EC P-256 key.")
    return key


def public_key() -> str:
    """The application server key for PushManager.subscribe (base64url, uncompressed)."""
    raw = _private_key().public_key().public_bytes(serialization.Encoding.X962,
                                                   serialization.PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def send(endpoint: str, p256dh: str, auth: str, payload: dict[str, Any]) -> str:
    """Encrypt and send one push message; returns the push service's status."""
    # Third-party and heavy (requests, http_ece): loaded by the runner that sends, not by
    # every web process that only shows the public key.
    from py_vapid import Vapid02
    from pywebpush import WebPushException, webpush

    vapid = Vapid02()
    vapid.private_key = _private_key()
    subject = env_str("MISTO_VAPID_SUBJECT", "mailto:" + settings.DEFAULT_FROM_EMAIL)
    try:
        response = webpush(
            subscription_info={"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}},
            data=json.dumps(payload, ensure_ascii=False), vapid_private_key=vapid,
            vapid_claims={"sub": subject}, timeout=10, ttl=24 * 3600,
        )
    except WebPushException as error:
        status = getattr(error.response, "status_code", None)
        if status in (404, 410):
            raise PushGone(str(error)) from error
        raise
    return str(getattr(response, "status_code", "sent"))
