"""The ledger's tables: entries, the Merkle tree's stored nodes, signed heads, public keys.

Nothing here holds personal data. An entry's ``payload`` is the exact byte string hashed as
its Merkle leaf (canonical JSON, see ``misto.ledger.canonical``); ``actor_ref`` is a keyed
hash used only to show a resident their own receipts, and is neither hashed nor exported.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

#: Node keys pack ``(level, index)`` into one bigint: ``level << NODE_LEVEL_SHIFT | index``.
#: One integer primary key lets a proof fetch its O(log n) nodes with a single ``IN`` query.
NODE_LEVEL_SHIFT = 48


def node_key(level: int, index: int) -> int:
    return (level << NODE_LEVEL_SHIFT) | index


class LedgerState(models.Model):
    """The single row (pk=1) whose lock serialises index assignment and tree integration.

    ``size`` is the number of entries appended (the next index); ``integrated_size`` the
    number of leaves whose perfect subtrees are stored as :class:`LedgerNode` rows.
    """

    size = models.BigIntegerField(default=0)
    integrated_size = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("ledger state")
        verbose_name_plural = _("ledger state")

    def __str__(self) -> str:
        return f"ledger size {self.size} (integrated {self.integrated_size})"


class LedgerEntry(models.Model):
    """One leaf of the log. ``index`` is gapless from 0, assigned under the state lock."""

    index = models.BigIntegerField(_("index"), primary_key=True)
    kind = models.CharField(_("kind"), max_length=100, db_index=True)
    # The canonical JSON document {"data", "kind", "time"}: the exact UTF-8 bytes of the leaf.
    payload = models.TextField(_("payload"))
    leaf_hash = models.BinaryField(_("leaf hash"), max_length=32)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # Keyed hash of the acting resident, for "my receipts"; not part of the leaf.
    actor_ref = models.CharField(_("actor reference"), max_length=64, null=True, blank=True)
    # The promise of inclusion given with the receipt (``sth.promise_tbs``): the raw Ed25519
    # signature by ``promise_key`` over (created_at in ms, the batch's first index and size,
    # promise_merge_delay, the MTH of the batch's leaf hashes); every entry of a batch
    # appended together holds the same. Null only for entries older than promises.
    promise_signature = models.BinaryField(_("promise signature"), max_length=64, null=True)
    # No database constraint nor index: a foreign key check per row took a third of a
    # batch's database time (issue #24). Only the append path writes it, with the id it
    # found active under the state lock in the same statement; keys are never deleted
    # (retired); and the verifier checks every promise against the key it names.
    promise_key = models.ForeignKey("LedgerKey", on_delete=models.PROTECT, null=True,
                                    related_name="+", db_constraint=False, db_index=False)
    promise_merge_delay = models.PositiveIntegerField(_("promised merge delay (s)"), null=True)
    promise_batch_start = models.BigIntegerField(_("promised batch start"), null=True)
    promise_batch_size = models.PositiveIntegerField(_("promised batch size"), null=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        indexes = [
            models.Index(
                fields=["actor_ref", "index"], name="ledger_entry_actor",
                condition=models.Q(actor_ref__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.index} {self.kind}"


class LedgerNode(models.Model):
    """A completed perfect subtree: node ``(level, index)`` covers leaves
    ``[index * 2**level, (index + 1) * 2**level)``; level 0 holds the leaf hashes.

    Written once, when its last leaf is integrated, and never updated.
    """

    key = models.BigIntegerField(primary_key=True)
    level = models.SmallIntegerField()
    index = models.BigIntegerField()
    hash = models.BinaryField(max_length=32)

    class Meta:
        verbose_name = _("ledger tree node")
        verbose_name_plural = _("ledger tree nodes")

    def __str__(self) -> str:
        return f"node ({self.level}, {self.index})"


class LedgerKey(models.Model):
    """A public key the log signs (or signed) its heads with. Retired keys stay published."""

    key_id = models.CharField(_("key id"), max_length=44, unique=True)
    algorithm = models.CharField(_("algorithm"), max_length=20, default="Ed25519")
    # DER SubjectPublicKeyInfo; ``key_id`` is base64(SHA-256(public_key)), as a CT log ID.
    public_key = models.BinaryField(_("public key"))
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    retired_at = models.DateTimeField(pgettext_lazy("signing key", "retired at"), null=True,
                                      blank=True)

    class Meta:
        verbose_name = _("ledger signing key")
        verbose_name_plural = _("ledger signing keys")

    def __str__(self) -> str:
        return self.key_id


class SignedTreeHead(models.Model):
    """A signed commitment to the first ``tree_size`` entries (RFC 6962 3.5 / RFC 9162 4.10).

    ``signature`` is the raw 64-byte Ed25519 signature over ``services.tree_head_tbs``.
    """

    tree_size = models.BigIntegerField(_("tree size"), db_index=True)
    timestamp = models.BigIntegerField(_("timestamp (ms since the epoch)"))
    root_hash = models.BinaryField(_("root hash"), max_length=32)
    signature = models.BinaryField(_("signature"), max_length=64)
    key = models.ForeignKey(LedgerKey, on_delete=models.PROTECT, related_name="heads")

    class Meta:
        verbose_name = _("signed tree head")
        verbose_name_plural = _("signed tree heads")
        ordering = ["tree_size", "timestamp", "id"]

    def __str__(self) -> str:
        return f"STH size {self.tree_size} at {self.timestamp}"
