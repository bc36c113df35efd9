"""The public ledger's open dataset (``MistoModule.datasets``): every signed tree head (what
a mirror or auditor checks the log against) and the entries counted per day and kind. The
entries themselves, with their leaf hashes and proofs, are read from the ledger's own API
(``/api/ledger/entries``, RFC 6962's get-entries), which is what a verifier needs; their
payloads hold only opaque references, never a person."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from django.db.models import Count
from django.db.models.functions import TruncDate

from misto.core.registry import Column, OpenDataset, OpenTable
from misto.ledger import sth
from misto.ledger.models import LedgerEntry, SignedTreeHead


def heads() -> Iterator[dict[str, Any]]:
    for head in SignedTreeHead.objects.select_related("key").order_by("tree_size", "pk"):
        yield {"tree_size": head.tree_size,
               "signed_at": datetime.fromtimestamp(head.timestamp / 1000, tz=UTC),
               "root_hash": sth.b64(bytes(head.root_hash)),
               "signature": sth.b64(bytes(head.signature)), "key_id": head.key.key_id}


def entries_per_day() -> Iterator[dict[str, Any]]:
    counted = (LedgerEntry.objects.annotate(day=TruncDate("created_at", tzinfo=UTC))
               .values("day", "kind").annotate(entries=Count("pk")).order_by("day", "kind"))
    for row in counted:
        yield {"day": row["day"], "kind": row["kind"], "entries": row["entries"]}


DATASETS = (
    OpenDataset(
        name="ledger", title="Публічний реєстр змін: підписані стани",
        title_en="Public ledger: signed tree heads",
        description="Підписані стани (tree heads) публічного реєстру змін і кількість записів "
                    "за днями та видами; самі записи з доказами — в API реєстру "
                    "(/api/ledger/entries).",
        description_en="The public ledger's signed tree heads and its entries counted per day "
                       "and kind; the entries with their proofs are in the ledger's API "
                       "(/api/ledger/entries).",
        publisher="it", theme="GOVE", keywords=("реєстр змін", "прозорість", "Merkle"),
        frequency="HOURLY",
        tables=(
            OpenTable("heads", "Підписані стани", "Signed tree heads", (
                Column("tree_size", "integer", "Записів у дереві", "Entries in the tree",
                       "entries"),
                Column("signed_at", "datetime", "Підписано", "Signed at"),
                Column("root_hash", "string", "Корінь дерева (base64)", "Root hash (base64)"),
                Column("signature", "string", "Підпис Ed25519 (base64)",
                       "Ed25519 signature (base64)"),
                Column("key_id", "string", "Ключ", "Key id"),
            ), heads),
            OpenTable("entries-per-day", "Записи за днями", "Entries per day", (
                Column("day", "date", "День (UTC)", "Day (UTC)"),
                Column("kind", "string", "Вид запису", "Entry kind"),
                Column("entries", "integer", "Записів", "Entries", "entries"),
            ), entries_per_day),
        )),
)
