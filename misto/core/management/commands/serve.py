"""``misto serve``: the production ASGI server plus the background side, in one process."""

from __future__ import annotations

import logging
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from misto.core.runtime import COMPONENTS, Background

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Serve the platform (uvicorn) with the event worker, tasks, schedules and runners."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--no-background", action="store_true",
            help="web only: run the background side as separate `misto worker` processes",
        )
        parser.add_argument("--access-log", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        import uvicorn

        background = None if options["no_background"] else Background(set(COMPONENTS))
        config = uvicorn.Config(
            "misto.asgi:application", host=options["host"], port=options["port"],
            access_log=options["access_log"], lifespan="off", log_level="info",
        )
        server = uvicorn.Server(config)
        if background:
            background.start()
        try:
            server.run()
        finally:
            if background:
                background.stop()
