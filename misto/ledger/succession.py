"""Replacing the public log by a new one that starts from a signed statement about the old.

Why: the log is append-only, so an entry that should never have been published cannot be
taken back without breaking every later root (and every witness's copy). Misto's first
version ledgered an unsalted SHA-256 of a person's register record with every register change
(issue 13): whoever knows a resident's name, birth date and address recovers the tax number
from it. A deployment that ran that version closes its log instead:

1. the old log gets a final signed head over all its entries (signed with the old key);
2. the old log is exported to a private archive and no longer served; a redacted copy (leaf
   hashes, heads and keys, no entry text) is written for publication, so witnesses and
   holders of old receipts can still check them against the final head;
3. a *log-replaced statement* (the final head, the old public key, the new log's key id and
   the reason) is signed with the old key and becomes entry 0 of a new, empty log, which is
   signed with a new key from then on.

Witnesses who trusted the old key learn from the statement, signed by that key, which key
continues the city's history and where the old history ends; anyone who holds old entries or
receipts can still check them against the final head it names.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from misto.ledger import services, sth
from misto.ledger.canonical import canonical_json
from misto.ledger.errors import LedgerCode, LedgerError
from misto.ledger.models import LedgerEntry, LedgerNode, LedgerState, SignedTreeHead

MAX_REASON = 500
STATEMENT_FILE = "log-replaced.json"
#: The archive's subfolder that may be published: the old log without the entries' text.
PUBLIC_FOLDER = "public"


@dataclass(frozen=True)
class Replacement:
    """What ``replace_log`` did: the old log's final head and the new log's first head."""

    previous_head: dict[str, object]
    archived_entries: int
    first_head: SignedTreeHead


def _refuse(message: str) -> LedgerError:
    return LedgerError(LedgerCode.REPLACE_REFUSED, message)


def check_replace(archive: Path, previous_key_setting: str,
                  reason: str) -> Ed25519PrivateKey:
    """Refuse (``LedgerError``, nothing changed) unless the log can be replaced as asked;
    returns the previous log's private key."""
    if not reason.strip() or len(reason.strip()) > MAX_REASON:
        raise _refuse(f"give the reason for replacing the log (1-{MAX_REASON} characters)")
    if archive.exists() and (not archive.is_dir() or any(archive.iterdir())):
        raise _refuse(f"{archive} must be a new or empty directory (the old log's archive)")
    if services.tree_sizes()[0] == 0:
        raise _refuse("the log is empty: there is nothing to replace")
    try:
        previous = services.load_private_key(previous_key_setting, "--previous-key")
    except ImproperlyConfigured as error:
        raise _refuse(str(error)) from None
    previous_id = sth.key_id(services.public_key_der(previous))
    new_id = sth.key_id(services.public_key_der(services.signing_key()))
    if new_id == previous_id or SignedTreeHead.objects.filter(key__key_id=new_id).exists():
        raise _refuse("MISTO_LEDGER_KEY still holds a key that signed the old log; set it to a "
                      "new key (misto ledger generate-key) and pass the old one as "
                      "--previous-key")
    latest = services.latest_head()
    if latest is not None and latest.key.key_id != previous_id:
        raise _refuse(f"--previous-key is not the key that signed the log's latest head "
                      f"(key id {latest.key.key_id})")
    report = services.verify_log()
    if not report.ok:
        raise _refuse(f"the old log does not verify ({report.problems[0]}); repair it before "
                      "closing it")
    return previous


def replace_log(archive: Path, previous_key_setting: str, reason: str) -> Replacement:
    """Close the current log and start a new one whose entry 0 is the signed statement.

    ``previous_key_setting`` is the old log's private key in any form ``MISTO_LEDGER_KEY``
    accepts; ``MISTO_LEDGER_KEY`` must already hold the new log's key. The archive receives
    the old log's full export (``entries.jsonl``, ``heads.json``, ``keys.json``), which holds
    what must no longer be served and stays private, and in ``public/`` the same export
    redacted to leaf hashes; both get the statement (``log-replaced.json``). A leaf hash gives
    nothing away: every event entry contains its salted ``digest``, so its document cannot be
    guessed. Old signing keys stay published, retired.
    """
    previous = check_replace(archive, previous_key_setting, reason)
    final = services.latest_head()
    if final is None or final.tree_size < services.tree_sizes()[0]:
        final = services.issue_head(private_key=previous)
        assert final is not None
    counts = services.export(archive)
    services.export(archive / PUBLIC_FOLDER, redacted=True)
    previous_head = services.head_json(final)
    statement = {
        "statement": sth.LOG_REPLACED,
        "previous_head": previous_head,
        "previous_public_key": sth.b64(services.public_key_der(previous)),
        "successor_key_id": sth.key_id(services.public_key_der(services.signing_key())),
        "reason": reason.strip(),
    }
    data = {"statement": statement,
            "signature": sth.b64(previous.sign(canonical_json(statement).encode("utf-8")))}
    for folder in (archive, archive / PUBLIC_FOLDER):
        (folder / STATEMENT_FILE).write_text(canonical_json(data) + "\n", encoding="utf-8")
    with transaction.atomic():
        services.locked_state()
        SignedTreeHead.objects.all().delete()
        LedgerNode.objects.all().delete()
        LedgerEntry.objects.all().delete()
        LedgerState.objects.filter(pk=services.STATE_PK).update(size=0, integrated_size=0)
        services.append(services.LOG_REPLACED_KIND, data)
        first = services.issue_head()
    assert first is not None
    return Replacement(previous_head, counts["entries"], first)
