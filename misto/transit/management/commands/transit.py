"""``misto transit import-gtfs <zip>`` (all or nothing: every bad row printed, exit 1) and
``misto transit export-gtfs <file>`` (the current feed as GTFS)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from misto.transit.errors import FeedProblems, TransitError
from misto.transit.services import feeds, timetable


class Command(BaseCommand):
    help = "Public transport: import or export the GTFS timetable."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        imp = actions.add_parser("import-gtfs", help="Replace the timetable with a GTFS zip "
                                                     "(nothing changes when any row is bad).")
        imp.add_argument("zip")
        imp.add_argument("--no-twin", action="store_true",
                         help="do not look up each stop's district, address and landmark")
        exp = actions.add_parser("export-gtfs", help="Write the current timetable as GTFS.")
        exp.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "export-gtfs":
            try:
                data = feeds.export_feed(feeds.current_feed())
            except TransitError as error:
                raise CommandError(error.message) from None
            Path(options["file"]).write_bytes(data)
            self.stdout.write(f"wrote {options['file']} ({len(data)} bytes)")
            return
        path = Path(options["zip"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        try:
            feed = feeds.import_feed(path.read_bytes(), path.name,
                                     link_twin=not options["no_twin"])
        except FeedProblems as error:
            for problem in error.problems:
                self.stderr.write(problem)
            raise CommandError(f"{len(error.problems)} problem(s): nothing imported") from None
        timetable.forget()
        self.stdout.write(f"imported {feed.name}: {feed.stops.count()} stops, "
                          f"{feed.routes.count()} routes, {feed.trips.count()} trips")
