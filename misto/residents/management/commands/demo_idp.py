"""``misto demo_idp start|stop|run``: the demo OpenID provider beside Misto (not production).

``start`` runs it in the background and reuses one that already answers at
``MISTO_DEMO_IDP_URL`` (``make run`` calls it every time); ``run`` keeps it in the
foreground; ``stop`` ends the one ``start`` began.
"""

from __future__ import annotations

import os
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from misto.residents import demo_idp


class Command(BaseCommand):
    help = "Start, stop or run the demo OpenID Connect provider (never in production)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("action", choices=["start", "stop", "run"])

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "stop":
                stopped = demo_idp.stop()
                self.stdout.write("demo identity provider stopped" if stopped
                                  else "no demo identity provider was started here")
                return
            if settings.PRODUCTION or not demo_idp.issuer():
                raise CommandError("the demo identity provider is off (production, or "
                                   "MISTO_DEMO_IDP_URL is empty)")
            if action == "run":
                command = demo_idp.command()
                os.execve(command[0], command, demo_idp.environment())
            started = demo_idp.start()
        except demo_idp.DemoIdpError as error:
            raise CommandError(str(error)) from error
        state = "started" if started else "already running"
        self.stdout.write(f"demo identity provider {state} at {demo_idp.issuer()}: sign in "
                          f"at /cabinet/signin/ with “Demo ID” and pick a demo resident")
