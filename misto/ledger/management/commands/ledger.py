"""``misto ledger``: verify the log, sign a head, export the open dataset, make a key, and
replace a log that must not be served any more by a new one (``new-log``)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from misto.ledger import services, succession


class Command(BaseCommand):
    help = ("The public ledger: verify | issue-head | integrate | export <dir> | generate-key "
            "| new-log <archive-dir> --previous-key KEY --reason TEXT")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="recompute the whole log and check every signed head and "
                                      "the promises of the unsigned tail; exit 1 naming the "
                                      "first bad entry")
        sub.add_parser("issue-head", help="integrate pending entries and sign a tree head now")
        sub.add_parser("integrate", help="integrate pending entries into the stored tree")
        export = sub.add_parser("export", help="write entries.jsonl, heads.json and keys.json")
        export.add_argument("directory", type=Path)
        sub.add_parser("generate-key", help="print a new MISTO_LEDGER_KEY value (for rotation)")
        new_log = sub.add_parser(
            "new-log", help="close this log (final head, private archive) and start a new one "
                            "whose entry 0 is a statement signed with the old key; "
                            "MISTO_LEDGER_KEY must already hold the new key")
        new_log.add_argument("archive", type=Path,
                             help="new or empty directory for the old log (keep it private)")
        new_log.add_argument("--previous-key", required=True,
                             help="the old log's key (base64 or a key file, as MISTO_LEDGER_KEY)")
        new_log.add_argument("--reason", required=True, help="why the log is replaced (public)")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "verify":
            self.verify()
        elif action == "issue-head":
            head = services.issue_head(force=True)
            assert head is not None
            self.stdout.write(f"signed tree head: size {head.tree_size}, root "
                              f"{services.sth.b64(bytes(head.root_hash))}, key {head.key.key_id}")
        elif action == "integrate":
            self.stdout.write(f"integrated {services.integrate_pending()} entries")
        elif action == "export":
            directory: Path = options["directory"]
            if directory.exists() and not directory.is_dir():
                raise CommandError(f"{directory} exists and is not a directory")
            counts = services.export(directory)
            self.stdout.write(f"exported {counts['entries']} entries, {counts['heads']} heads, "
                              f"{counts['keys']} keys to {directory}")
        elif action == "generate-key":
            self.stdout.write(services.generate_key())
        elif action == "new-log":
            self.new_log(options["archive"], options["previous_key"], options["reason"])

    def new_log(self, archive: Path, previous_key: str, reason: str) -> None:
        try:
            done = succession.replace_log(archive, previous_key, reason)
        except services.LedgerError as error:
            raise CommandError(error.message) from None
        final = done.previous_head
        self.stdout.write(f"old log closed at size {final['tree_size']}, root "
                          f"{final['sha256_root_hash']}, key {final['key_id']}; "
                          f"{done.archived_entries} entries archived in {archive} (keep it "
                          "private)")
        self.stdout.write(f"new log started: entry 0 is the signed statement, first head "
                          f"signed with key {done.first_head.key.key_id}")

    def unsigned_tail(self, report: services.VerifyReport) -> None:
        """How many entries no signed head covers yet, and since when (their signed promises
        of inclusion are what protects them until a head does)."""
        if report.first_bad_entry is not None:
            return
        if not report.unsigned or report.unsigned_since is None:
            self.stdout.write("every entry is under a signed head")
            return
        since = report.unsigned_since
        waited = (timezone.now() - since).total_seconds()
        self.stdout.write(f"{report.unsigned} entries not yet under a signed head, since "
                          f"{services.entry_time(since)} ({waited:.0f} s ago); each was checked "
                          "against its signed promise of inclusion")
        if report.overdue:
            self.stdout.write(f"{report.overdue} of them are past their promised merge delay: "
                              "is the ledger's signer running (misto worker)?")

    def verify(self) -> None:
        started = time.monotonic()
        report = services.verify_log()
        elapsed = time.monotonic() - started
        for problem in report.problems:
            self.stderr.write(problem)
        self.stdout.write(f"checked {report.entries} entries, {report.nodes} tree nodes, "
                          f"{report.heads} signed heads in {elapsed:.1f} s")
        self.unsigned_tail(report)
        if report.ok:
            self.stdout.write("ledger intact")
            return
        if report.first_bad_entry is not None:
            self.stdout.write(f"first bad entry: {report.first_bad_entry}")
        else:
            self.stdout.write("the entries are intact, but the signed heads are not (see above)")
        raise SystemExit(1)
