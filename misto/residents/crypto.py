"""The register's field encryption: the core's machinery (``misto.core.crypto``), kept
importable here because the residents' migrations and code name this module."""

from misto.core.crypto import (
    TOKEN_PREFIX,
    EncryptedTextField,
    Fernet,
    blind_index,
    decrypt,
    encrypt,
    fernet,
    rotate,
)

__all__ = ["TOKEN_PREFIX", "EncryptedTextField", "Fernet", "blind_index", "decrypt", "encrypt",
           "fernet", "rotate"]
