"""``misto worker``: the background side alone (events, tasks, schedules, runners)."""

from __future__ import annotations

import signal
import threading
from argparse import ArgumentParser
from typing import Any

from django.core.checks import Tags
from django.core.management.base import BaseCommand, CommandError

from misto.core.runtime import COMPONENTS, Background


class Command(BaseCommand):
    help = "Run the background worker: event delivery, tasks, periodic jobs, module runners."
    # Every check but the URL tree's: loading it (every module's API and views) is half of a
    # worker's start (~0.5 s), which a worker restarted after a crash should not wait for;
    # the web process, which serves those URLs, checks them.
    requires_system_checks = [tag for name, tag in vars(Tags).items()
                              if not name.startswith("_") and tag != Tags.urls]

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
