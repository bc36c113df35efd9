"""Signing keys: the one configured, the rows that publish every key ever used, rotation.

Why a file of its own, first in the package: the key signs both a receipt's promise of
inclusion (at append, ``appending``) and every tree head (``heads``); keys rotate and stay
published for good.
"""

from __future__ import annotations

import base64
import binascii
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from misto.ledger import sth
from misto.ledger.models import LedgerKey


@lru_cache(maxsize=8)
def load_private_key(setting: str, source: str = "MISTO_LEDGER_KEY") -> Ed25519PrivateKey:
    """A private key given as base64 of the raw 32 bytes, or the path of a file holding that
    text, the raw bytes or a PEM key; ``ImproperlyConfigured`` naming ``source`` otherwise."""
    raw: bytes
    path = Path(setting) if len(setting) < 4096 else None
    if path is not None and path.is_file():
        data = path.read_bytes()
        source = str(path)
        if data.lstrip().startswith(b"-----BEGIN"):
            key = serialization.load_pem_private_key(data, password=None)
            if not isinstance(key, Ed25519PrivateKey):
                raise ImproperlyConfigured(f"{source}: not an Ed25519 private key")
            return key
        raw = data if len(data) == 32 else _b64_32(data.strip(), source)
    else:
        raw = _b64_32(setting.strip().encode(), source)
    return Ed25519PrivateKey.from_private_bytes(raw)


def _b64_32(text: bytes, source: str) -> bytes:
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise ImproperlyConfigured(
            f"{source}: expected base64 of a raw 32-byte Ed25519 private key, a file holding "
            "one, or a PEM file"
        )
    return raw


def signing_key() -> Ed25519PrivateKey:
    return load_private_key(str(settings.MISTO_LEDGER_KEY))


def public_key_der(private_key: Ed25519PrivateKey) -> bytes:
    return private_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def generate_key() -> str:
    """A new private key as MISTO_LEDGER_KEY wants it (base64 of the raw 32 bytes)."""
    raw = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    return base64.b64encode(raw).decode()


def active_key(private_key: Ed25519PrivateKey | None = None) -> tuple[LedgerKey,
                                                                       Ed25519PrivateKey]:
    """Register and activate ``private_key`` (default: the configured key); retire any other
    active key (rotation). Call inside a transaction holding the state lock.
    """
    private_key = private_key or signing_key()
    der = public_key_der(private_key)
    kid = sth.key_id(der)
    now = timezone.now()
    row, created = LedgerKey.objects.get_or_create(key_id=kid, defaults={"public_key": der})
    if not created and not row.active:
        row.active = True
        row.retired_at = None
        row.save(update_fields=["active", "retired_at"])
    LedgerKey.objects.filter(active=True).exclude(pk=row.pk).update(active=False, retired_at=now)
    return row, private_key


def current_key() -> tuple[LedgerKey, Ed25519PrivateKey]:
    """The configured key and its row, registered and activated on first use (one query when
    it already is). Call inside a transaction holding the state lock, as ``active_key``."""
    private_key = signing_key()
    row = LedgerKey.objects.filter(key_id=key_id_of(str(settings.MISTO_LEDGER_KEY)),
                                   active=True).first()
    return (row, private_key) if row is not None else active_key(private_key)


@lru_cache(maxsize=8)
def key_id_of(setting: str) -> str:
    return sth.key_id(public_key_der(load_private_key(setting)))
