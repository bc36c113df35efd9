"""Secret ballots for every module where one person has one vote (the participatory budget,
polls): RSA blind signatures, RFC 9474 (RSABSSA-SHA384-PSS-Deterministic), with no Django
import, and the pieces of a ballot box that do not depend on what is voted for.

The voter's client picks a random token, *blinds* it and sends only the blinded value; the
city signs it blind (it learns who asked, never the token); the client *finalizes* the
signature and later casts the ballot with the token and its signature, which anyone verifies
with the published public key (``verify`` is the `cryptography` package's own RSASSA-PSS
check). The deterministic variant (no message randomizer) is the RFC's choice when the
message is itself random and unpredictable, as a 32-byte token is.

The client half (``blind``, ``finalize``) is what an independent voting client runs; Misto's
own pages run it inside the request (``sign_here``; docs/budget.md, "threat model").

A module keeps two tables that nothing joins: who received a token (unique per person and
vote: the database stops a second one) and the ballots (token, receipt, choices; no person).
``replay`` is the recount's common half: it reads ballots as the public ledger holds them,
checks each token's signature with its group's published key and counts each token once;
the module then checks the choices against its own rules.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Generic, TypeVar

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

HASH = hashlib.sha384
H_LEN = 48
S_LEN = 48  # the RFC's RSABSSA-SHA384-PSS-* variants: salt length = hash length
TOKEN_BYTES = 32


class BlindError(ValueError):
    """A blinded message, signature or key that cannot be used."""


@dataclass(frozen=True)
class Blinded:
    blinded_msg: bytes
    inverse: int  # the client's secret, kept until ``finalize``


def _i2osp(value: int, length: int) -> bytes:
    return value.to_bytes(length, "big")


def _os2ip(data: bytes) -> int:
    return int.from_bytes(data, "big")


def _mgf1(seed: bytes, length: int) -> bytes:
    out = bytearray()
    counter = 0
    while len(out) < length:
        out += HASH(seed + _i2osp(counter, 4)).digest()
        counter += 1
    return bytes(out[:length])


def emsa_pss_encode(message: bytes, em_bits: int, salt: bytes | None = None) -> bytes:
    """RFC 8017 section 9.1.1 with SHA-384 and MGF1-SHA-384."""
    em_len = math.ceil(em_bits / 8)
    salt = secrets.token_bytes(S_LEN) if salt is None else salt
    if em_len < H_LEN + len(salt) + 2:
        raise BlindError("the key is too small for SHA-384 PSS")
    m_hash = HASH(message).digest()
    h = HASH(b"\x00" * 8 + m_hash + salt).digest()
    db = b"\x00" * (em_len - len(salt) - H_LEN - 2) + b"\x01" + salt
    masked = bytearray(a ^ b for a, b in zip(db, _mgf1(h, em_len - H_LEN - 1), strict=True))
    masked[0] &= 0xFF >> (8 * em_len - em_bits)
    return bytes(masked) + h + b"\xbc"


def _numbers(key: rsa.RSAPublicKey) -> tuple[int, int, int]:
    numbers = key.public_numbers()
    return numbers.n, numbers.e, (numbers.n.bit_length() + 7) // 8


def new_token() -> bytes:
    return secrets.token_bytes(TOKEN_BYTES)


def blind(public_key: rsa.RSAPublicKey, message: bytes) -> Blinded:
    """RFC 9474 section 4.2 (client): the blinded message and the secret inverse."""
    n, e, k_len = _numbers(public_key)
    m = _os2ip(emsa_pss_encode(message, n.bit_length() - 1))
    if math.gcd(m, n) != 1:
        raise BlindError("invalid input")
    while True:
        r = secrets.randbelow(n - 1) + 1
        if math.gcd(r, n) == 1:
            break
    z = (m * pow(r, e, n)) % n
    return Blinded(_i2osp(z, k_len), pow(r, -1, n))


def blind_sign(private_key: rsa.RSAPrivateKey, blinded_msg: bytes) -> bytes:
    """RFC 9474 section 4.3 (signer): sign without seeing the message."""
    numbers = private_key.private_numbers()
    n, e, k_len = _numbers(private_key.public_key())
    if len(blinded_msg) != k_len:
        raise BlindError("the blinded message has the wrong length")
    m = _os2ip(blinded_msg)
    if m >= n:
        raise BlindError("the blinded message is out of range")
    # CRT: about three times faster than pow(m, d, n).
    p, q = numbers.p, numbers.q
    s1 = pow(m, numbers.dmp1, p)
    s2 = pow(m, numbers.dmq1, q)
    s = s2 + q * ((numbers.iqmp * (s1 - s2)) % p)
    if pow(s, e, n) != m:  # the RFC's fault check
        raise BlindError("signing failed")
    return _i2osp(s, k_len)


def finalize(public_key: rsa.RSAPublicKey, message: bytes, blind_sig: bytes,
             inverse: int) -> bytes:
    """RFC 9474 section 4.4 (client): the unblinded signature, checked."""
    n, _e, k_len = _numbers(public_key)
    if len(blind_sig) != k_len:
        raise BlindError("the blind signature has the wrong length")
    signature = _i2osp((_os2ip(blind_sig) * inverse) % n, k_len)
    if not verify(public_key, message, signature):
        raise BlindError("the signer's answer does not verify")
    return signature


def verify(public_key: rsa.RSAPublicKey, message: bytes, signature: bytes) -> bool:
    """RSASSA-PSS-VERIFY with SHA-384, MGF1-SHA-384 and a 48-byte salt."""
    try:
        public_key.verify(signature, message,
                          padding.PSS(mgf=padding.MGF1(hashes.SHA384()), salt_length=S_LEN),
                          hashes.SHA384())
    except (InvalidSignature, ValueError):
        return False
    return True


def new_private_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def private_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def public_pem(key: rsa.RSAPublicKey) -> str:
    return key.public_bytes(serialization.Encoding.PEM,
                            serialization.PublicFormat.SubjectPublicKeyInfo).decode()


@lru_cache(maxsize=64)
def load_private(pem: str) -> rsa.RSAPrivateKey:
    """The key, validated once per process (the validation costs ~0.1 s for RSA-2048)."""
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise BlindError("not an RSA key")
    return key


@lru_cache(maxsize=256)
def load_public(pem: str) -> rsa.RSAPublicKey:
    key = serialization.load_pem_public_key(pem.encode())
    if not isinstance(key, rsa.RSAPublicKey):
        raise BlindError("not an RSA key")
    return key


def receipt(message: bytes) -> str:
    """The voter's receipt: the token's SHA-256, 20 hex digits (what "find my ballot" asks)."""
    return hashlib.sha256(message).hexdigest()[:20]


def normal_receipt(text: str) -> str | None:
    """A receipt as typed by a person (spaces, capitals), or ``None`` if it cannot be one."""
    digits = "".join(ch for ch in str(text).lower() if ch in "0123456789abcdef")[:20]
    return digits if len(digits) == 20 else None


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def from_b64(text: str, limit: int = 1024) -> bytes:
    """Bytes from base64 text (at most ``limit`` characters read); ``BlindError`` if not."""
    try:
        return base64.b64decode(str(text)[:limit], validate=True)
    except (binascii.Error, ValueError):
        raise BlindError("not valid base64") from None


def new_keypair(bits: int = 2048) -> tuple[str, str]:
    """A fresh signing key as (public PEM, private PEM)."""
    key = new_private_key(bits)
    return public_pem(key.public_key()), private_pem(key)


def sign_blinded(private: str, blinded_msg: bytes) -> bytes:
    """The signer's half with a stored PEM key; ``BlindError`` for a malformed request."""
    return blind_sign(load_private(private), blinded_msg)


def token_valid(public: str, token: bytes, signature: bytes) -> bool:
    """Whether ``token`` is a ballot token signed by the key ``public`` (a PEM)."""
    return len(token) == TOKEN_BYTES and verify(load_public(public), token, signature)


def sign_here(public: str, sign: Callable[[bytes], bytes]) -> tuple[bytes, bytes]:
    """The voting client run inside a request (the pages' fallback without JavaScript): a
    fresh token, blinded, signed by ``sign`` (the signer's half, which records the voter),
    finalized and checked. Returns (token, signature); neither is kept here."""
    key = load_public(public)
    token = new_token()
    blinded = blind(key, token)
    return token, finalize(key, token, sign(blinded.blinded_msg), blinded.inverse)


@dataclass
class Replay:
    """The ballots of one vote as the ledger holds them, checked."""

    counted: list[tuple[int, dict]] = field(default_factory=list)  # (ledger index, data)
    forged: list[int] = field(default_factory=list)  # ledger indexes
    reused: list[int] = field(default_factory=list)


Choice = TypeVar("Choice", str, int)


@dataclass
class Recount(Generic[Choice]):
    """A vote recounted from the ledger against the counts shown: per choice (its key, the
    ledger's count, the count shown), and the ledger's ballots not counted, by reason."""

    ballots_shown: int
    ballots_ledger: int = 0
    counts: list[tuple[Choice, int, int]] = field(default_factory=list)
    forged: list[int] = field(default_factory=list)  # ledger indexes
    reused: list[int] = field(default_factory=list)
    invalid: list[int] = field(default_factory=list)

    @property
    def agrees(self) -> bool:
        return (self.ballots_shown == self.ballots_ledger and not self.forged
                and not self.reused and not self.invalid
                and all(ledger == shown for _key, ledger, shown in self.counts))

    def report(self, choice: str, invalid: str) -> list[str]:
        """The recount as the CLI prints it, naming a choice (``project``) and a ballot
        that chose outside the vote (``choice not on the ballot``) in the vote's words."""
        lines = [f"{choice} {key}: ledger {ledger}, shown {shown}"
                 for key, ledger, shown in self.counts]
        lines.append(f"ballots: ledger {self.ballots_ledger}, shown {self.ballots_shown}")
        lines += [f"ledger entry {index}: {label}"
                  for label, indexes in (("forged token", self.forged),
                                         ("token used twice", self.reused), (invalid, self.invalid))
                  for index in indexes]
        return lines


def replay(records: Iterable[tuple[int, Mapping]], keys: Mapping[str, str],
           group: str = "district") -> Replay:
    """Check ballots (ledger index, data with ``token``, ``signature`` and the key group
    under ``group``) against the published ``keys`` (group -> public PEM): a bad signature
    or an unknown group is forged, a token seen before is reused, the rest are counted."""
    result = Replay()
    seen: set[str] = set()
    for index, data in records:
        public = keys.get(str(data.get(group, "")))
        try:
            token = from_b64(str(data.get("token")))
            signature = from_b64(str(data.get("signature")))
        except BlindError:
            result.forged.append(index)
            continue
        if public is None or not token_valid(public, token, signature):
            result.forged.append(index)
            continue
        if data["token"] in seen:
            result.reused.append(index)
            continue
        seen.add(str(data["token"]))
        result.counted.append((index, dict(data)))
    return result
