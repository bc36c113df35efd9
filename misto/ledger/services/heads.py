"""Signing keys and signed tree heads: what witnesses and residents trust.

Why a file of its own: a head is the log's public commitment (size, time, root, signature),
and the keys that sign heads rotate and are published for good; both are a concern apart from
how the tree is stored. Heads only cover integrated leaves.
"""

from __future__ import annotations

import base64
import binascii
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from misto.core.bus import publish
from misto.ledger import sth
from misto.ledger.events import TreeHeadIssued
from misto.ledger.models import LedgerKey, SignedTreeHead
from misto.ledger.services.appending import locked_state
from misto.ledger.services.tree import integrate_pending, root_at

#: A scheduled head is issued when the tree grew, or when the last head is older than this.
HEAD_MAX_AGE_MS = 24 * 3600 * 1000


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


def _active_key(private_key: Ed25519PrivateKey | None = None) -> tuple[LedgerKey,
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


def latest_head() -> SignedTreeHead | None:
    return SignedTreeHead.objects.select_related("key").order_by("-id").first()


def issue_head(force: bool = True,
               private_key: Ed25519PrivateKey | None = None) -> SignedTreeHead | None:
    """Integrate pending entries, then sign and store a head over the whole tree.

    With ``force=False`` (the schedule) nothing is issued when the tree has not grown since the
    last head and that head is younger than ``HEAD_MAX_AGE_MS``. Timestamps strictly increase.
    ``private_key`` signs instead of the configured key (only for closing a log that is being
    replaced, see ``misto.ledger.succession``). Publishes ``ledger.TreeHeadIssued``.
    """
    integrate_pending()
    with transaction.atomic():
        size = int(locked_state().integrated_size)
        previous = latest_head()
        now_ms = int(timezone.now().timestamp() * 1000)
        if not force and previous is not None and previous.tree_size == size \
                and now_ms - previous.timestamp < HEAD_MAX_AGE_MS:
            return None
        timestamp = max(now_ms, previous.timestamp + 1) if previous else now_ms
        root = root_at(size)
        key, private_key = _active_key(private_key)
        signature = private_key.sign(sth.tree_head_tbs(size, timestamp, root))
        head = SignedTreeHead.objects.create(
            tree_size=size, timestamp=timestamp, root_hash=root, signature=signature, key=key
        )
        publish(TreeHeadIssued(tree_size=size, timestamp=timestamp,
                               sha256_root_hash=sth.b64(root), key_id=key.key_id))
    return head


def head_json(head: SignedTreeHead) -> dict[str, Any]:
    return sth.sth_json(head.tree_size, head.timestamp, bytes(head.root_hash),
                        bytes(head.signature), head.key.key_id)


def head_signature_ok(head: SignedTreeHead) -> bool:
    return sth.verify_signature(bytes(head.key.public_key), head.tree_size, head.timestamp,
                                bytes(head.root_hash), bytes(head.signature))


def key_json(key: LedgerKey) -> dict[str, Any]:
    return {
        "key_id": key.key_id,
        "algorithm": key.algorithm,
        "public_key": sth.b64(bytes(key.public_key)),
        "active": key.active,
        "created_at": key.created_at.isoformat(),
        "retired_at": key.retired_at.isoformat() if key.retired_at else None,
    }


def published_keys() -> list[dict[str, Any]]:
    return [key_json(key) for key in LedgerKey.objects.order_by("created_at", "id")]

