"""Ride tokens a validator checks offline (no Django import: it runs on the device too).

A token is ``v1.<payload>.<signature>`` (base64url without padding). The payload is compact
JSON: ``a`` the account's public id, ``j`` the token's own id (one ride per token: the
server refuses a second use when the validator syncs), ``e`` its expiry (Unix seconds) and
``k`` the signing key's id. The signature is Ed25519 over ``v1.<payload>``; a validator
holds the platform's public keys (``GET /api/wallet/keys``) and needs no network.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

PREFIX = "v1"


class TokenRefused(Exception):
    def __init__(self, reason: str) -> None:  # "malformed", "unknown_key", "signature", "expired"
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Claims:
    account: str
    token_id: str
    expires: int
    key_id: str


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def key_id(public: bytes) -> str:
    return hashlib.sha256(public).hexdigest()[:8]


def public_bytes(private: Ed25519PrivateKey) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def sign(private: Ed25519PrivateKey, account: str, token_id: str, expires: int) -> str:
    kid = key_id(public_bytes(private))
    payload = _b64(json.dumps({"a": account, "j": token_id, "e": expires, "k": kid},
                              separators=(",", ":"), sort_keys=True).encode())
    signed = f"{PREFIX}.{payload}"
    return f"{signed}.{_b64(private.sign(signed.encode('ascii')))}"


def verify(token: str, public_keys: dict[str, bytes], now: int) -> Claims:
    """The token's claims if a known key signed it and it is valid at ``now`` (Unix s)."""
    parts = token.split(".") if isinstance(token, str) and len(token) < 600 else []
    if len(parts) != 3 or parts[0] != PREFIX:
        raise TokenRefused("malformed")
    try:
        data = json.loads(_unb64(parts[1]))
        claims = Claims(account=str(data["a"]), token_id=str(data["j"]),
                        expires=int(data["e"]), key_id=str(data["k"]))
        signature = _unb64(parts[2])
    except (ValueError, KeyError, TypeError) as error:
        raise TokenRefused("malformed") from error
    public = public_keys.get(claims.key_id)
    if public is None:
        raise TokenRefused("unknown_key")
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(
            signature, f"{parts[0]}.{parts[1]}".encode("ascii"))
    except (InvalidSignature, ValueError) as error:
        raise TokenRefused("signature") from error
    if now > claims.expires:
        raise TokenRefused("expired")
    return claims


def sign_document(private: Ed25519PrivateKey, document: dict[str, object]) -> str:
    """A JSON document a validator checks offline (the deny-list): ``v1.<payload>.<sig>``,
    the payload carrying ``k``, the signing key's id, as a token does."""
    body = {**document, "k": key_id(public_bytes(private))}
    payload = _b64(json.dumps(body, separators=(",", ":"), sort_keys=True).encode())
    signed = f"{PREFIX}.{payload}"
    return f"{signed}.{_b64(private.sign(signed.encode('ascii')))}"


def verify_document(document: str, public_keys: dict[str, bytes]) -> dict[str, object]:
    """A signed document's content, if a known key signed it (what a validator runs)."""
    parts = document.split(".") if isinstance(document, str) else []
    if len(parts) != 3 or parts[0] != PREFIX:
        raise TokenRefused("malformed")
    try:
        body = json.loads(_unb64(parts[1]))
        public = public_keys.get(str(body["k"]))
        signature = _unb64(parts[2])
    except (ValueError, KeyError, TypeError) as error:
        raise TokenRefused("malformed") from error
    if public is None:
        raise TokenRefused("unknown_key")
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(
            signature, f"{parts[0]}.{parts[1]}".encode("ascii"))
    except (InvalidSignature, ValueError) as error:
        raise TokenRefused("signature") from error
    return dict(body)
