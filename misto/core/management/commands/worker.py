"""``misto worker``: the background side alone (events, tasks, schedules, runners)."""

from __future__ import annotations

import signal
import threading
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from misto.core.runtime import COMPONENTS, Background


class Command(BaseCommand):
    help = "Run the background worker: event delivery, tasks, periodic jobs, module runners."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--only", default=",".join(COMPONENTS),
            help=f"comma-separated subset of: {', '.join(COMPONENTS)}",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        components = {part.strip() for part in options["only"].split(",") if part.strip()}
        unknown = components - set(COMPONENTS)
        if unknown:
            raise CommandError(f"unknown component(s): {', '.join(sorted(unknown))}")
        background = Background(components)
        done = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: done.set())
        background.start()
        self.stdout.write(f"worker running: {', '.join(sorted(components))}", ending="\n")
        self.stdout.flush()
        done.wait()
        background.stop()
