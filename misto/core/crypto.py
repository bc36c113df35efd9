"""Encryption of personal fields at rest, and the blind index for lookups.

One machinery for every module that stores personal data (the register, reporters'
contacts, notification addresses), so that one set of keys and one rotation cover them all.

Every personal field is a Fernet token (AES-128-CBC + HMAC-SHA256) made with the first key
of ``MISTO_FIELD_KEYS``; all keys decrypt (:class:`cryptography.fernet.MultiFernet`), so a
key is rotated by putting a new one first and running ``misto residents rotate-keys``, which
re-encrypts every :class:`EncryptedTextField` of every installed model
(:func:`encrypted_fields`). The
keys live outside the database (environment, or ``var/field_keys`` outside production).

A value that must be found by equality (an RNOKPP, a document number) is also stored as a
*blind index*: HMAC-SHA256 under ``MISTO_BLIND_INDEX_KEY`` of the normalised value. The
database can then answer "who has this RNOKPP" without ever holding the RNOKPP.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

TOKEN_PREFIX = "gAAAAA"  # every Fernet token starts with its version byte 0x80


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("MISTO_FIELD_KEYS is empty.")
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured(
            f"MISTO_FIELD_KEYS: each key must be 32 url-safe base64-encoded bytes ({error})"
        ) from error


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.MISTO_FIELD_KEYS))


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as error:
        raise ImproperlyConfigured(
            "A personal field cannot be decrypted with any key of MISTO_FIELD_KEYS."
        ) from error


def rotate(token: str) -> str:
    """The same value encrypted with the current (first) key."""
    return fernet().rotate(token.encode("ascii")).decode("ascii")


def blind_index(kind: str, value: str) -> str:
    """A keyed hash of a normalised value, for lookups by equality; "" for no value."""
    if not value:
        return ""
    key = settings.MISTO_BLIND_INDEX_KEY.encode()
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """A text field stored as a Fernet token; "" stays "" (nothing to hide).

    Not searchable and not orderable in the database, by design.
    """

    description = "Text encrypted at rest"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))


def encrypted_fields() -> dict[type[models.Model], tuple[str, ...]]:
    """Every concrete model of the installed apps with its encrypted fields' names."""
    found: dict[type[models.Model], tuple[str, ...]] = {}
    for model in apps.get_models():
        names = tuple(field.name for field in model._meta.concrete_fields
                      if isinstance(field, EncryptedTextField))
        if names:
            found[model] = names
    return found
