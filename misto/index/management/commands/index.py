"""``misto index compute --year <y>`` (and ``--period``), ``misto index load-catalogue``,
``misto index import <file.csv>`` (all rows or none; each bad row printed, exit 1)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from misto.index import services
from misto.index.errors import BadRows, ProgressIndexError


class Command(BaseCommand):
    help = "City Progress Index: compute indicators, load the catalogue, import values."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        compute = actions.add_parser("compute", help="Recompute the computed indicators.")
        compute.add_argument("--year", type=int, help="the year, its quarters and months")
        compute.add_argument("--period", help="one period: 2026, 2026-Q1 or 2026-03")
        compute.add_argument("--no-districts", action="store_true",
                             help="the whole city only")
        actions.add_parser("load-catalogue", help="Load or refresh the shipped catalogue.")
        imported = actions.add_parser("import", help="Import values from a register's CSV.")
        imported.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "load-catalogue":
                self.stdout.write(f"indicators {services.load()}")
            elif action == "compute":
                self._compute(options)
            else:
                self._import(Path(options["file"]))
        except BadRows as error:
            for row in error.rows:
                self.stderr.write(row)
            raise CommandError(error.message) from None
        except ProgressIndexError as error:
            raise CommandError(error.message) from None

    def _compute(self, options: dict[str, Any]) -> None:
        services.ensure_loaded()
        by_district = not options["no_districts"]
        started = time.perf_counter()
        if options.get("period"):
            outcomes = [services.compute(options["period"], by_district=by_district)]
        elif options.get("year"):
            outcomes = services.compute_year(options["year"], by_district=by_district)
        else:
            raise CommandError("give --year or --period")
        for outcome in outcomes:
            self.stdout.write(
                f"{outcome.period}: computed {outcome.computed}, changed {outcome.changed}, "
                f"nothing to measure {len(outcome.empty)}, "
                f"module off {len(outcome.unavailable)}")
        self.stdout.write(f"seconds {time.perf_counter() - started:.2f}")

    def _import(self, path: Path) -> None:
        from django.contrib.auth import get_user_model

        if not path.exists():
            raise CommandError(f"no file {path}")
        # The operator's import runs with the IT department's authority (a superuser).
        operator = get_user_model().objects.filter(is_superuser=True, is_active=True).first()
        if operator is None:
            raise CommandError("no active superuser to record as the importer")
        entries = services.check_import(operator, path.read_text(encoding="utf-8-sig"),
                                        path.name)
        self.stdout.write(f"imported {services.do_import(operator, entries)}")
